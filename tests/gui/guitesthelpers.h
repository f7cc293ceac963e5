#pragma once

#include <QCoreApplication>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>

// GUI tests must not read or write the user's preferences: QSettings goes to a temporary folder.
inline void isolateSettings(QTemporaryDir &dir)
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("ExpectLabTest"));
    QCoreApplication::setApplicationName(QStringLiteral("ExpectLabGuiTest"));
    QCoreApplication::setApplicationVersion(QStringLiteral(EXPECTLAB_VERSION));
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, dir.path());
}
