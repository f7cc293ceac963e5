// Reading sessions: every field checked with the path of what is wrong, today's version and the
// ones before it. The writer is sessionfilewriter.cpp; the format is docs/session-format.md.
#include "sessionfile.h"

#include "clientprofile.h"
#include "httpparser.h"
#include "sessionjsonreader.h"
#include "sessiontoolresults.h"

#include <QCoreApplication>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>

namespace expectlab {

namespace {
QString tr(const char *text)
{
    return QCoreApplication::translate("SessionFile", text);
}

// Sessions can hold wire logs of big uploads only in summary, so a real file is small; anything far
// larger is not ours and is refused before it is parsed into memory.
constexpr qint64 kMaxFileBytes = 512LL * 1024 * 1024;

} // namespace

std::optional<Session> sessionFromJson(const QJsonObject &o, QString *error)
{
    auto fail = [error](const QString &message) -> std::optional<Session> {
        if (error)
            *error = message;
        return std::nullopt;
    };
    if (o.value(QStringLiteral("format")).toString() != QLatin1String(kSessionFormat))
        return fail(
            tr("not an ExpectLab session: the \"format\" field is not \"%1\"").arg(QLatin1String(kSessionFormat)));
    const QJsonValue version = o.value(QStringLiteral("version"));
    if (!version.isDouble() || version.toInteger() < 1)
        return fail(tr("not an ExpectLab session: the \"version\" field is missing or invalid"));
    if (version.toInteger() > kSessionVersion)
        return fail(tr("this session was written by a newer ExpectLab (format version %1; this version reads "
                       "up to %2): update ExpectLab to open it")
                        .arg(version.toInteger())
                        .arg(kSessionVersion));

    SessionJsonReader r;
    r.setVersion(version.toInteger());
    Session s;
    s.originNs = r.integer(o, QString(), "origin_ns");
    const QJsonValue originUtc = r.field(o, QString(), "origin_utc");
    if (originUtc.isString()) {
        s.originUtc = QDateTime::fromString(originUtc.toString(), Qt::ISODateWithMs);
        if (!s.originUtc.isValid())
            r.fail(QStringLiteral("origin_utc"), tr("invalid date '%1'").arg(originUtc.toString()));
        s.originUtc = s.originUtc.toUTC();
    } else if (!originUtc.isNull() && r.ok()) {
        r.fail(QStringLiteral("origin_utc"), tr("expected a date or null"));
    }
    s.serverPolicy = r.string(o, QString(), "server_policy", true);
    s.note = r.string(o, QString(), "note", true);
    s.droppedServerEvents = r.integer(o, QString(), "dropped_server_events", true);
    const QJsonArray exchanges = r.array(o, QString(), "exchanges");
    for (qsizetype i = 0; i < exchanges.size() && r.ok(); ++i) {
        const QString at = QStringLiteral("exchanges[%1]").arg(i);
        s.exchanges.append(r.summary(r.object(exchanges.at(i), at), at));
    }
    s.serverEvents = r.events(o, QString(), "server_events");
    const QJsonArray connections = r.array(o, QString(), "server_connections");
    for (qsizetype i = 0; i < connections.size() && r.ok(); ++i) {
        const QString at = QStringLiteral("server_connections[%1]").arg(i);
        const QJsonObject c = r.object(connections.at(i), at);
        SessionServerConnection conn;
        conn.id = r.int32(c, at, "id");
        conn.peerAddress = r.string(c, at, "peer_address");
        const int port = r.int32(c, at, "peer_port");
        if (port < 0 || port > 65535)
            r.fail(SessionJsonReader::join(at, "peer_port"), tr("port out of range"));
        conn.peerPort = quint16(port);
        conn.exchangeId = r.int32(c, at, "exchange_id");
        const QString wireAt = SessionJsonReader::join(at, "wire_log");
        conn.wire = r.wireLog(r.object(r.field(c, at, "wire_log"), wireAt), wireAt);
        s.serverConnections.append(std::move(conn));
    }
    // Version 3 on, and only when the tab had run.
    if (o.contains(QStringLiteral("probe")) && r.ok())
        s.probe = probeReportFromSessionJson(r, r.object(o.value(QStringLiteral("probe")), QStringLiteral("probe")),
                                             QStringLiteral("probe"));
    if (o.contains(QStringLiteral("matrix")) && r.ok())
        s.matrix = matrixResultFromSessionJson(r, r.object(o.value(QStringLiteral("matrix")), QStringLiteral("matrix")),
                                               QStringLiteral("matrix"));
    // Version 5 on, and only when a proxy recorded.
    if (o.contains(QStringLiteral("proxy")) && r.ok()) {
        const QJsonObject p = r.object(o.value(QStringLiteral("proxy")), QStringLiteral("proxy"));
        SessionProxy proxy;
        proxy.mode = r.string(p, QStringLiteral("proxy"), "mode");
        proxy.upstream = r.string(p, QStringLiteral("proxy"), "upstream");
        proxy.forward = r.boolean(p, QStringLiteral("proxy"), "forward");
        proxy.listenUrl = r.string(p, QStringLiteral("proxy"), "listen", true);
        s.proxy = proxy;
    }
    if (o.contains(QStringLiteral("proxy_events")) && r.ok()) {
        s.proxyEvents = r.events(o, QString(), "proxy_events");
        const QJsonArray list = r.array(o, QString(), "proxy_connections");
        for (qsizetype i = 0; i < list.size() && r.ok(); ++i) {
            const QString at = QStringLiteral("proxy_connections[%1]").arg(i);
            const QJsonObject c = r.object(list.at(i), at);
            SessionProxyConnection conn;
            if (!hopFromName(r.string(c, at, "hop"), &conn.hop) || conn.hop == Hop::None)
                r.fail(SessionJsonReader::join(at, "hop"), tr("expected \"downstream\" or \"upstream\""));
            conn.id = r.int32(c, at, "id");
            conn.peerAddress = r.string(c, at, "peer_address");
            const int port = r.int32(c, at, "peer_port");
            if (port < 0 || port > 65535)
                r.fail(SessionJsonReader::join(at, "peer_port"), tr("port out of range"));
            conn.peerPort = quint16(port);
            const QString wireAt = SessionJsonReader::join(at, "wire_log");
            conn.wire = r.wireLog(r.object(r.field(c, at, "wire_log"), wireAt), wireAt);
            s.proxyConnections.append(std::move(conn));
        }
        s.droppedProxyEvents = r.integer(o, QString(), "dropped_proxy_events", true);
    }
    if (!r.ok())
        return fail(tr("broken session file: %1").arg(r.error()));
    if (version.toInteger() < 2) {
        // Version 1's server head events had no head: the connection's wire log has them, in order.
        QHash<int, QList<MessageHead>> headsOf;
        for (const SessionServerConnection &c : std::as_const(s.serverConnections)) {
            for (const WireLog::Record &rec : c.wire.records()) {
                if (rec.direction == WireLog::Direction::Received && !rec.body)
                    headsOf[c.id] += headsIn(HttpParser::Kind::Request, rec.bytes);
            }
        }
        for (TimelineEvent &e : s.serverEvents) {
            QList<MessageHead> &heads = headsOf[e.conn];
            if (e.kind == EventKind::Head && !e.head && !heads.isEmpty())
                e.head = std::make_shared<const MessageHead>(heads.takeFirst());
        }
    }
    return s;
}

std::optional<Session> sessionFromBytes(const QByteArray &bytes, QString *error)
{
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(bytes, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        if (error)
            *error = tr("broken session file: not valid JSON at byte %1: %2")
                         .arg(parseError.offset)
                         .arg(parseError.errorString());
        return std::nullopt;
    }
    if (!doc.isObject()) {
        if (error)
            *error = tr("not an ExpectLab session: the document is not a JSON object");
        return std::nullopt;
    }
    return sessionFromJson(doc.object(), error);
}

std::optional<Session> loadSession(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        if (error)
            *error = tr("cannot open %1: %2").arg(path, file.errorString());
        return std::nullopt;
    }
    if (file.size() > kMaxFileBytes) {
        if (error)
            *error = tr("%1 is too large for a session file (%2 bytes)").arg(path).arg(file.size());
        return std::nullopt;
    }
    QString why;
    std::optional<Session> session = sessionFromBytes(file.readAll(), &why);
    if (!session && error)
        *error = tr("%1: %2").arg(path, why);
    return session;
}

} // namespace expectlab
