#pragma once

#include <QList>
#include <QString>

namespace expectlab {

// How a well-known client handles Expect (expect-rules.md, "Clients"), as composer settings.
struct ClientPreset
{
    enum class ExpectWhen { Never, Always, BodyOver };

    QString id;
    QString name;
    ExpectWhen expectWhen = ExpectWhen::Always;
    qint64 expectThreshold = 0; // BodyOver: send Expect only when the body is larger than this
    int expectTimeoutMs = 1000;
    bool retryAfter417 = false;
    bool chunked = false;
    QString source; // where the values come from; the tooltip shows it
};

// How a well-known server answers (expect-rules.md, "Servers"), as a test server policy string.
struct ServerPreset
{
    QString id;
    QString name;
    QString policy; // ServerPolicy::parse syntax
    QString source;
};

// An intermediary the recording proxy reproduces (expect-rules.md, "Intermediaries"), as a proxy
// mode (issue 16).
struct ProxyPreset
{
    QString id;
    QString name;
    QString mode; // proxyModeName(): parseProxyMode syntax
    QString source;
};

// Loads presets from JSON (by default the copies compiled into the binary under :/presets/).
// An empty list with a message in error when the file is missing or malformed.
QList<ClientPreset> loadClientPresets(const QString &path = QStringLiteral(":/presets/clients.json"),
                                      QString *error = nullptr);
QList<ServerPreset> loadServerPresets(const QString &path = QStringLiteral(":/presets/servers.json"),
                                      QString *error = nullptr);
QList<ProxyPreset> loadProxyPresets(const QString &path = QStringLiteral(":/presets/proxies.json"),
                                    QString *error = nullptr);

} // namespace expectlab
