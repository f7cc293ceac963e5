#include "clientpreset.h"

#include "proxymode.h"

#include "serverpolicy.h"

#include <QCoreApplication>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace expectlab {

namespace {
QString tr(const char *text)
{
    return QCoreApplication::translate("Presets", text);
}

QJsonArray readArray(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        if (error)
            *error = tr("cannot read presets %1: %2").arg(path, file.errorString());
        return {};
    }
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(file.readAll(), &parseError);
    if (!doc.isObject() || !doc.object().value(QStringLiteral("presets")).isArray()) {
        if (error)
            *error =
                tr("presets %1 are not a JSON object with a \"presets\" array: %2").arg(path, parseError.errorString());
        return {};
    }
    return doc.object().value(QStringLiteral("presets")).toArray();
}
} // namespace

QList<ClientPreset> loadClientPresets(const QString &path, QString *error)
{
    QList<ClientPreset> presets;
    for (const QJsonValue &v : readArray(path, error)) {
        const QJsonObject o = v.toObject();
        ClientPreset p;
        p.id = o.value(QStringLiteral("id")).toString();
        p.name = o.value(QStringLiteral("name")).toString();
        const QString expect = o.value(QStringLiteral("expect")).toString();
        if (expect == QLatin1String("never")) {
            p.expectWhen = ClientPreset::ExpectWhen::Never;
        } else if (expect == QLatin1String("always")) {
            p.expectWhen = ClientPreset::ExpectWhen::Always;
        } else if (expect == QLatin1String("body-over")) {
            p.expectWhen = ClientPreset::ExpectWhen::BodyOver;
            p.expectThreshold = qint64(o.value(QStringLiteral("expectThreshold")).toDouble());
        } else {
            if (error)
                *error = tr("client preset '%1': unknown expect '%2'").arg(p.id, expect);
            return {};
        }
        p.expectTimeoutMs = o.value(QStringLiteral("expectTimeoutMs")).toInt(1000);
        p.retryAfter417 = o.value(QStringLiteral("retryAfter417")).toBool();
        p.chunked = o.value(QStringLiteral("chunked")).toBool();
        p.source = o.value(QStringLiteral("source")).toString();
        if (p.id.isEmpty() || p.name.isEmpty() || p.expectTimeoutMs < 0) {
            if (error)
                *error = tr("client preset %1 lacks an id, a name or a valid timeout").arg(presets.size() + 1);
            return {};
        }
        presets.append(p);
    }
    return presets;
}

QList<ServerPreset> loadServerPresets(const QString &path, QString *error)
{
    QList<ServerPreset> presets;
    for (const QJsonValue &v : readArray(path, error)) {
        const QJsonObject o = v.toObject();
        ServerPreset p;
        p.id = o.value(QStringLiteral("id")).toString();
        p.name = o.value(QStringLiteral("name")).toString();
        p.policy = o.value(QStringLiteral("policy")).toString();
        p.source = o.value(QStringLiteral("source")).toString();
        QString policyError;
        if (p.id.isEmpty() || p.name.isEmpty() || !ServerPolicy::parse(p.policy, &policyError)) {
            if (error)
                *error = tr("server preset '%1': %2")
                             .arg(p.id, policyError.isEmpty() ? tr("lacks an id or a name") : policyError);
            return {};
        }
        presets.append(p);
    }
    return presets;
}

QList<ProxyPreset> loadProxyPresets(const QString &path, QString *error)
{
    QList<ProxyPreset> presets;
    for (const QJsonValue &v : readArray(path, error)) {
        const QJsonObject o = v.toObject();
        ProxyPreset p;
        p.id = o.value(QStringLiteral("id")).toString();
        p.name = o.value(QStringLiteral("name")).toString();
        p.mode = o.value(QStringLiteral("mode")).toString();
        p.source = o.value(QStringLiteral("source")).toString();
        QString modeError;
        if (p.id.isEmpty() || p.name.isEmpty() || p.source.isEmpty() || !parseProxyMode(p.mode, &modeError)) {
            if (error)
                *error = tr("proxy preset '%1': %2")
                             .arg(p.id, modeError.isEmpty() ? tr("lacks an id, a name or a source") : modeError);
            return {};
        }
        presets.append(p);
    }
    return presets;
}

} // namespace expectlab
