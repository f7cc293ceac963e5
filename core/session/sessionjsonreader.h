#pragma once

// The typed field reader of session files, shared by the parts of the format in other files (the
// probe and matrix results). Internal to core/session: not installed, not for other folders.
#include "clientexchange.h"
#include "clientprofile.h"
#include "exchangereport.h"
#include "httpmessage.h"
#include "timelineevent.h"
#include "wirelog.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>

#include <limits>
#include <optional>

namespace expectlab {

// Reads typed fields and remembers the first problem together with where it was, so the user is
// told "exchanges[2].events[5].kind: ..." instead of "broken file".
class SessionJsonReader
{
public:
    static QString tr(const char *text) { return QCoreApplication::translate("SessionFile", text); }

    bool ok() const { return m_error.isEmpty(); }
    QString error() const { return m_error; }

    void fail(const QString &path, const QString &what)
    {
        if (m_error.isEmpty())
            m_error = QStringLiteral("%1: %2").arg(path, what);
    }

    QJsonValue field(const QJsonObject &o, const QString &path, const char *key, bool optional = false)
    {
        const QString k = QString::fromLatin1(key);
        if (!o.contains(k)) {
            if (!optional)
                fail(path, tr("missing field '%1'").arg(k));
            return QJsonValue(QJsonValue::Undefined);
        }
        return o.value(k);
    }

    static QString join(const QString &path, const char *key)
    {
        return path.isEmpty() ? QString::fromLatin1(key) : path + QLatin1Char('.') + QLatin1String(key);
    }

    qint64 integer(const QJsonObject &o, const QString &path, const char *key, bool optional = false,
                   qint64 fallback = 0)
    {
        const QJsonValue v = field(o, path, key, optional);
        if (v.isUndefined())
            return fallback;
        if (!v.isDouble() || v.toDouble() != double(v.toInteger(std::numeric_limits<qint64>::min())) ||
            v.toInteger(std::numeric_limits<qint64>::min()) == std::numeric_limits<qint64>::min()) {
            fail(join(path, key), tr("expected an integer"));
            return fallback;
        }
        return v.toInteger();
    }

    std::optional<qint64> nullableInteger(const QJsonObject &o, const QString &path, const char *key)
    {
        const QJsonValue v = field(o, path, key, true);
        if (v.isUndefined() || v.isNull())
            return std::nullopt;
        return integer(o, path, key);
    }

    int int32(const QJsonObject &o, const QString &path, const char *key, bool optional = false)
    {
        const qint64 v = integer(o, path, key, optional);
        if (v < std::numeric_limits<int>::min() || v > std::numeric_limits<int>::max()) {
            fail(join(path, key), tr("number out of range"));
            return 0;
        }
        return int(v);
    }

    bool boolean(const QJsonObject &o, const QString &path, const char *key, bool optional = false)
    {
        const QJsonValue v = field(o, path, key, optional);
        if (v.isUndefined())
            return false;
        if (!v.isBool())
            fail(join(path, key), tr("expected true or false"));
        return v.toBool();
    }

    QString string(const QJsonObject &o, const QString &path, const char *key, bool optional = false)
    {
        const QJsonValue v = field(o, path, key, optional);
        if (v.isUndefined())
            return {};
        if (!v.isString())
            fail(join(path, key), tr("expected a string"));
        return v.toString();
    }

    QByteArray latin1Bytes(const QJsonObject &o, const QString &path, const char *key, bool optional = false)
    {
        return latin1Of(string(o, path, key, optional), join(path, key));
    }

    QByteArray latin1Of(const QString &text, const QString &path)
    {
        for (QChar c : text) {
            if (c.unicode() > 0xff) {
                fail(path, tr("character outside Latin-1 in a byte string"));
                return {};
            }
        }
        return text.toLatin1();
    }

    QByteArray base64Bytes(const QJsonObject &o, const QString &path, const char *key)
    {
        const QString text = string(o, path, key);
        const auto decoded = QByteArray::fromBase64Encoding(text.toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
        if (!decoded) {
            fail(join(path, key), tr("invalid base64"));
            return {};
        }
        return *decoded;
    }

    QJsonArray array(const QJsonObject &o, const QString &path, const char *key, bool optional = false)
    {
        const QJsonValue v = field(o, path, key, optional);
        if (v.isUndefined())
            return {};
        if (!v.isArray())
            fail(join(path, key), tr("expected an array"));
        return v.toArray();
    }

    QJsonObject object(const QJsonValue &v, const QString &path)
    {
        if (!v.isObject())
            fail(path, tr("expected an object"));
        return v.toObject();
    }

    HttpHeaders headers(const QJsonObject &o, const QString &path, const char *key)
    {
        HttpHeaders out;
        const QJsonArray list = array(o, path, key);
        const QString base = join(path, key);
        for (qsizetype i = 0; i < list.size() && ok(); ++i) {
            const QString at = QStringLiteral("%1[%2]").arg(base).arg(i);
            const QJsonArray pair = list.at(i).toArray();
            if (!list.at(i).isArray() || pair.size() != 2 || !pair.at(0).isString() || !pair.at(1).isString()) {
                fail(at, tr("expected [name, value]"));
                break;
            }
            out.append({latin1Of(pair.at(0).toString(), at), latin1Of(pair.at(1).toString(), at)});
        }
        return out;
    }

    MessageHead head(const QJsonObject &o, const QString &path)
    {
        MessageHead h;
        h.method = latin1Bytes(o, path, "method");
        h.target = latin1Bytes(o, path, "target");
        h.status = int32(o, path, "status");
        h.reason = latin1Bytes(o, path, "reason");
        h.versionMajor = int32(o, path, "version_major");
        h.versionMinor = int32(o, path, "version_minor");
        h.headers = headers(o, path, "headers");
        return h;
    }

    TimelineEvent event(const QJsonObject &o, const QString &path)
    {
        TimelineEvent e;
        e.tNs = integer(o, path, "t_ns");
        const QString side = string(o, path, "side");
        if (side == QLatin1String("client"))
            e.side = Side::Client;
        else if (side == QLatin1String("server"))
            e.side = Side::Server;
        else
            fail(join(path, "side"), tr("expected \"client\" or \"server\", not '%1'").arg(side));
        e.conn = int32(o, path, "conn");
        const QString kind = string(o, path, "kind");
        if (ok() && !kindFromName(kind, &e.kind))
            fail(join(path, "kind"), tr("unknown event kind '%1'").arg(kind));
        e.status = int32(o, path, "status");
        e.bytes = integer(o, path, "bytes");
        e.detail = string(o, path, "detail");
        e.rule = string(o, path, "rule");
        // Typed facts, version 2 on; a version 1 file has none of them.
        e.request = int32(o, path, "request", true);
        if (ok() && !closerFromName(string(o, path, "closed_by", true), &e.closedBy))
            fail(join(path, "closed_by"), tr("expected \"local\" or \"peer\""));
        e.reset = boolean(o, path, "reset", true);
        e.bytesBeforeFinal = integer(o, path, "bytes_before_final", true, -1);
        e.bytesAfterFinal = integer(o, path, "bytes_after_final", true, -1);
        if (ok() && !errorKindFromName(string(o, path, "error_kind", true), &e.error))
            fail(join(path, "error_kind"), tr("unknown error kind"));
        if (o.contains(QStringLiteral("head")))
            e.head = std::make_shared<const MessageHead>(
                head(object(o.value(QStringLiteral("head")), join(path, "head")), join(path, "head")));
        if (o.contains(QStringLiteral("profile"))) {
            QString why;
            if (const auto profile =
                    clientProfileFromJson(object(o.value(QStringLiteral("profile")), join(path, "profile")), &why))
                e.profile = std::make_shared<const ClientProfile>(*profile);
            else
                fail(join(path, "profile"), why);
        }
        e.notSent = boolean(o, path, "not_sent", true);
        e.bodyNotSent = integer(o, path, "body_not_sent", true, -1);
        if (o.contains(QStringLiteral("endpoints"))) {
            const QString at = join(path, "endpoints");
            const QJsonObject p = object(o.value(QStringLiteral("endpoints")), at);
            Endpoints ends;
            ends.localAddress = QHostAddress(string(p, at, "local_address"));
            ends.localPort = quint16(int32(p, at, "local_port"));
            ends.peerAddress = QHostAddress(string(p, at, "peer_address"));
            ends.peerPort = quint16(int32(p, at, "peer_port"));
            e.endpoints = std::make_shared<const Endpoints>(ends);
        }
        if (const auto facts = tls(o, path))
            e.tls = std::make_shared<const TlsFacts>(*facts);
        // Version 5: the recording proxy's.
        if (ok() && !hopFromName(string(o, path, "hop", true), &e.hop))
            fail(join(path, "hop"), tr("expected \"downstream\" or \"upstream\""));
        e.exchange = int32(o, path, "exchange", true);
        if (ok() && !proxyDecisionFromName(string(o, path, "decision", true), &e.decision))
            fail(join(path, "decision"), tr("unknown proxy decision"));
        if (ok() && e.kind == EventKind::Decision && e.decision == ProxyDecision::None)
            fail(join(path, "decision"), tr("a decision event needs its decision"));
        return e;
    }

    // The "tls" field (version 4): absent or null over plain HTTP.
    std::optional<TlsFacts> tls(const QJsonObject &o, const QString &path)
    {
        const QJsonValue v = field(o, path, "tls", true);
        if (v.isUndefined() || v.isNull() || !ok())
            return std::nullopt;
        QString why;
        const auto facts = tlsFromJson(object(v, join(path, "tls")), &why);
        if (!facts && ok())
            fail(path, why);
        return facts;
    }

    // Each object of the array at key read by readOne(object, its path), until the first failure.
    template <typename ReadOne>
    auto objects(const QJsonObject &o, const QString &path, const char *key, ReadOne readOne)
    {
        QList<decltype(readOne(QJsonObject(), QString()))> out;
        const QJsonArray list = array(o, path, key);
        for (qsizetype i = 0; i < list.size() && ok(); ++i) {
            const QString at = QStringLiteral("%1[%2]").arg(join(path, key)).arg(i);
            out.append(readOne(object(list.at(i), at), at));
        }
        return out;
    }

    QList<TimelineEvent> events(const QJsonObject &o, const QString &path, const char *key)
    {
        return objects(o, path, key, [this](const QJsonObject &e, const QString &at) { return event(e, at); });
    }

    WireLog wireLog(const QJsonObject &o, const QString &path)
    {
        const qint64 capacity = integer(o, path, "capacity");
        if (ok() && capacity < 0)
            fail(join(path, "capacity"), tr("must not be negative"));
        QList<WireLog::Record> records = objects(o, path, "records", [this](const QJsonObject &r, const QString &at) {
            WireLog::Record rec;
            const QString direction = string(r, at, "direction");
            if (direction == QLatin1String("sent"))
                rec.direction = WireLog::Direction::Sent;
            else if (direction == QLatin1String("received"))
                rec.direction = WireLog::Direction::Received;
            else
                fail(join(at, "direction"), tr("expected \"sent\" or \"received\""));
            rec.firstNs = integer(r, at, "first_ns");
            rec.lastNs = integer(r, at, "last_ns");
            rec.byteCount = integer(r, at, "byte_count");
            rec.body = boolean(r, at, "body");
            rec.bytes = base64Bytes(r, at, "bytes_b64");
            return rec;
        });
        return WireLog::fromRecords(std::move(records), qsizetype(capacity), integer(o, path, "dropped_records", true),
                                    integer(o, path, "dropped_sent", true), integer(o, path, "dropped_received", true));
    }

    QList<MessageHead> heads(const QJsonObject &o, const QString &path, const char *key)
    {
        return objects(o, path, key, [this](const QJsonObject &h, const QString &at) { return head(h, at); });
    }

    AttemptSummary attempt(const QJsonObject &o, const QString &path)
    {
        AttemptSummary a;
        a.expect = latin1Bytes(o, path, "expect");
        a.startNs = integer(o, path, "start_ns");
        a.endNs = integer(o, path, "end_ns");
        a.interimHeads = heads(o, path, "interim_heads");
        if (const auto status = nullableInteger(o, path, "final_status"))
            a.finalStatus = int(*status);
        a.finalHead = head(object(field(o, path, "final_head"), join(path, "final_head")), join(path, "final_head"));
        a.bodyBytesSent = integer(o, path, "body_bytes_sent");
        return a;
    }

    ExchangeSummary summary(const QJsonObject &o, const QString &path)
    {
        ExchangeSummary s;
        s.id = int32(o, path, "id");
        const QString url = string(o, path, "url");
        s.url = QUrl(url, QUrl::StrictMode);
        if (ok() && !url.isEmpty() && !s.url.isValid())
            fail(join(path, "url"), tr("invalid URL '%1'").arg(url));
        s.method = latin1Bytes(o, path, "method");
        s.requestHeaders = headers(o, path, "request_headers");
        s.bodyBytes = integer(o, path, "body_bytes");
        s.startNs = integer(o, path, "start_ns");
        // Version 1 wrote 0 for "not finished"; version 2 writes null.
        if (const auto end = nullableInteger(o, path, "end_ns"); end && (m_version >= 2 || *end != 0))
            s.endNs = *end;
        s.events = events(o, path, "events");
        // interim_statuses is written for people reading the file; the heads are the data.
        s.interimHeads = heads(o, path, "interim_heads");
        if (const auto status = nullableInteger(o, path, "final_status"))
            s.finalStatus = int(*status);
        s.finalHead = head(object(field(o, path, "final_head"), join(path, "final_head")), join(path, "final_head"));
        s.responseBodyPreview = base64Bytes(o, path, "response_body_preview_b64");
        s.responseBodyBytes = integer(o, path, "response_body_bytes");
        s.expectWaitNs = nullableInteger(o, path, "expect_wait_ns");
        s.bodyBytesSent = integer(o, path, "body_bytes_sent");
        s.bytesSaved = integer(o, path, "bytes_saved");
        s.expectSent = boolean(o, path, "expect_sent");
        s.retried = boolean(o, path, "retried");
        s.cancelled = boolean(o, path, "cancelled");
        s.error = string(o, path, "error");
        if (m_version >= 2) {
            if (ok() && !errorKindFromName(string(o, path, "error_kind"), &s.errorKind))
                fail(join(path, "error_kind"), tr("unknown error kind"));
            s.responseComplete = boolean(o, path, "response_complete");
            s.sentAnyway = boolean(o, path, "sent_anyway");
            const QJsonArray earlier = array(o, path, "earlier_attempts");
            for (qsizetype i = 0; i < earlier.size() && ok(); ++i) {
                const QString at = QStringLiteral("%1.earlier_attempts[%2]").arg(path).arg(i);
                s.earlierAttempts.append(attempt(object(earlier.at(i), at), at));
            }
        } else {
            // Version 1 kept these only in the events, and its head events had no head: give the
            // first its request (attempts after a 417 went without Expect, R6).
            bool first = true;
            for (TimelineEvent &e : s.events) {
                s.responseComplete = s.responseComplete || e.kind == EventKind::ResponseDone;
                s.sentAnyway = s.sentAnyway || e.kind == EventKind::ExpectTimeout;
                if (e.kind == EventKind::HeadSent && !e.head) {
                    MessageHead h;
                    h.method = s.method;
                    h.target = s.url.path(QUrl::FullyEncoded).toLatin1();
                    h.headers = s.requestHeaders;
                    if (!first)
                        removeHeader(h.headers, "Expect");
                    e.head = std::make_shared<const MessageHead>(h);
                    first = false;
                }
            }
        }
        const QJsonArray logs = array(o, path, "wire_logs");
        for (qsizetype i = 0; i < logs.size() && ok(); ++i) {
            const QString at = QStringLiteral("%1.wire_logs[%2]").arg(path).arg(i);
            s.wireLogs.append(wireLog(object(logs.at(i), at), at));
        }
        if (const auto facts = tls(o, path))
            s.tls = std::make_shared<const TlsFacts>(*facts);
        return s;
    }

    void setVersion(qint64 version) { m_version = version; }

private:
    QString m_error;
    qint64 m_version = 1;
};

} // namespace expectlab
