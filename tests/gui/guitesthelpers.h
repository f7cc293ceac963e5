#pragma once

#include "exchangelistmodel.h"
#include "workbenchsession.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>

#include <algorithm>

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

// The record of exchange `number` once it has finished, or nullptr after 10 s.
// A real event loop (QSignalSpy::wait), not QTRY's sleep-and-poll: the exchange's timings are
// measured on this thread, and polling with sleeps would stretch them.
inline const expectlab::ExchangeRecord *waitForFinished(expectlab::WorkbenchSession *session, int number)
{
    const expectlab::ExchangeListModel *model = session->model();
    auto done = [&] {
        return model->recordByNumber(number) && !model->recordByNumber(number)->running;
    };
    QDeadlineTimer deadline(10000);
    while (!done() && !deadline.hasExpired()) {
        QSignalSpy changed(session, &expectlab::WorkbenchSession::exchangesChanged);
        changed.wait(int(std::max<qint64>(1, deadline.remainingTime())));
    }
    return done() ? model->recordByNumber(number) : nullptr;
}
