#include "harimport.h"

#include "clientexchange.h"
#include "exchangereport.h"

#include <QCoreApplication>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>

namespace expectlab {

namespace {
QString tr(const char *text)
{
    return QCoreApplication::translate("HarImport", text);
}

constexpr qint64 kMaxHarBytes = 512LL * 1024 * 1024;

// HAR strings are Unicode; header bytes are Latin-1 on our side unless the text needs more.
QByteArray bytesOf(const QString &text)
{
    for (QChar c : text) {
        if (c.unicode() > 0xff)
            return text.toUtf8();
    }
    return text.toLatin1();
}

qint64 nsOf(double ms)
{
    return qint64(ms * 1e6 + (ms >= 0 ? 0.5 : -0.5));
}

double timing(const QJsonObject &timings, const char *key)
{
    const double v = timings.value(QLatin1String(key)).toDouble(-1);
    return v > 0 ? v : 0; // -1 means "not applicable"
}

HttpHeaders headersOf(const QJsonValue &value)
{
    HttpHeaders out;
    for (const QJsonValue &h : value.toArray()) {
        const QJsonObject o = h.toObject();
        out.append({bytesOf(o.value(QStringLiteral("name")).toString()),
                    bytesOf(o.value(QStringLiteral("value")).toString())});
    }
    return out;
}

void parseVersion(const QString &text, MessageHead *head)
{
    // "HTTP/1.1", "HTTP/1.0", "http/2.0", "h2", "h3"
    const QString t = text.trimmed().toUpper();
    if (t == QLatin1String("H2") || t.startsWith(QLatin1String("HTTP/2"))) {
        head->versionMajor = 2;
        head->versionMinor = 0;
    } else if (t == QLatin1String("H3") || t.startsWith(QLatin1String("HTTP/3"))) {
        head->versionMajor = 3;
        head->versionMinor = 0;
    } else if (t == QLatin1String("HTTP/1.0")) {
        head->versionMajor = 1;
        head->versionMinor = 0;
    }
}

TimelineEvent event(qint64 t, int id, EventKind kind, int status = 0, qint64 bytes = -1, QString detail = {})
{
    TimelineEvent e;
    e.tNs = t;
    e.side = Side::Client;
    e.conn = id;
    e.kind = kind;
    e.status = status;
    e.bytes = bytes;
    e.detail = std::move(detail);
    return e;
}
} // namespace

std::optional<Session> sessionFromHar(const QJsonObject &har, QString *error)
{
    auto fail = [error](const QString &message) -> std::optional<Session> {
        if (error)
            *error = message;
        return std::nullopt;
    };
    const QJsonObject log = har.value(QStringLiteral("log")).toObject();
    if (!har.value(QStringLiteral("log")).isObject())
        return fail(tr("not a HAR file: there is no \"log\" object"));
    if (!log.value(QStringLiteral("entries")).isArray())
        return fail(tr("not a HAR file: log.entries is not an array"));
    const QJsonArray entries = log.value(QStringLiteral("entries")).toArray();

    // The earliest entry becomes the session's origin: HAR has dates, our clock has none.
    QList<QDateTime> starts;
    for (qsizetype i = 0; i < entries.size(); ++i) {
        const QJsonObject entry = entries.at(i).toObject();
        const QString at = QStringLiteral("log.entries[%1]").arg(i);
        if (!entries.at(i).isObject())
            return fail(tr("%1: expected an object").arg(at));
        const QDateTime started =
            QDateTime::fromString(entry.value(QStringLiteral("startedDateTime")).toString(), Qt::ISODateWithMs);
        if (!started.isValid())
            return fail(tr("%1.startedDateTime: missing or not an ISO 8601 date").arg(at));
        if (!entry.value(QStringLiteral("request")).isObject() ||
            !entry.value(QStringLiteral("request")).toObject().value(QStringLiteral("url")).isString())
            return fail(tr("%1.request.url: missing").arg(at));
        if (!entry.value(QStringLiteral("response")).isObject())
            return fail(tr("%1.response: missing").arg(at));
        starts.append(started.toUTC());
    }
    Session session;
    session.originNs = 0;
    session.originUtc =
        starts.isEmpty() ? QDateTime::currentDateTimeUtc() : *std::min_element(starts.begin(), starts.end());
    session.note = log.value(QStringLiteral("comment")).toString();

    for (qsizetype i = 0; i < entries.size(); ++i) {
        const QJsonObject entry = entries.at(i).toObject();
        const QJsonObject request = entry.value(QStringLiteral("request")).toObject();
        const QJsonObject response = entry.value(QStringLiteral("response")).toObject();
        const QJsonObject timings = entry.value(QStringLiteral("timings")).toObject();
        const QJsonObject extra = entry.value(QStringLiteral("_expectlab")).toObject();

        ExchangeSummary s;
        s.id = extra.contains(QStringLiteral("id")) ? extra.value(QStringLiteral("id")).toInt() : int(i + 1);
        s.url = QUrl(request.value(QStringLiteral("url")).toString());
        s.method = bytesOf(request.value(QStringLiteral("method")).toString(QStringLiteral("GET")));
        s.requestHeaders = headersOf(request.value(QStringLiteral("headers")));
        const double bodySize = request.value(QStringLiteral("bodySize")).toDouble(-1);
        const QString postText =
            request.value(QStringLiteral("postData")).toObject().value(QStringLiteral("text")).toString();
        s.bodyBytes = bodySize >= 0 ? qint64(bodySize) : qint64(postText.toUtf8().size());
        for (const auto &[name, value] : s.requestHeaders) {
            if (name.compare("Expect", Qt::CaseInsensitive) == 0)
                s.expectSent = true;
        }

        // Rebuild the events from the timings: HAR keeps durations, not the steps themselves.
        s.startNs =
            session.originNs + (starts.at(i).toMSecsSinceEpoch() - session.originUtc.toMSecsSinceEpoch()) * 1'000'000;
        const qint64 connectAt = s.startNs + nsOf(timing(timings, "blocked") + timing(timings, "dns"));
        // HAR 1.2: connect includes ssl, the TLS handshake at its end.
        const qint64 connectedAt = connectAt + nsOf(timing(timings, "connect"));
        const qint64 tlsStartAt = qMax(connectAt, connectedAt - nsOf(timing(timings, "ssl")));
        std::optional<TlsFacts> tls;
        if (entry.value(QStringLiteral("_tls")).isObject()) {
            QString ignored; // a foreign or broken _tls costs the facts, not the entry
            tls = tlsFromJson(entry.value(QStringLiteral("_tls")).toObject(), &ignored);
        }
        const bool overTls = tls || timing(timings, "ssl") > 0 || s.url.scheme() == QLatin1String("https");
        const qint64 sentAt = connectedAt + nsOf(timing(timings, "send"));
        const qint64 finalAt = sentAt + nsOf(timing(timings, "wait"));
        const qint64 doneAt = finalAt + nsOf(timing(timings, "receive"));
        const double time = entry.value(QStringLiteral("time")).toDouble(-1);
        s.endNs = time >= 0 ? qMax(doneAt, s.startNs + nsOf(time)) : doneAt;
        s.events.append(event(connectAt, s.id, EventKind::Connect, 0, -1, s.url.authority()));
        s.events.append(event(overTls ? tlsStartAt : connectedAt, s.id, EventKind::Connected));
        if (overTls) {
            s.events.append(event(tlsStartAt, s.id, EventKind::TlsStart));
            TimelineEvent done = event(connectedAt, s.id, EventKind::TlsDone);
            if (tls) {
                s.tls = std::make_shared<const TlsFacts>(*tls);
                done.detail =
                    tr("%1, %2, ALPN %3").arg(tls->protocol, tls->cipher, tls->alpn.isEmpty() ? tr("none") : tls->alpn);
                done.tls = s.tls;
            }
            s.events.append(done);
        }
        // The request's head travels with its event, as when recorded: the timeline sees the Expect.
        MessageHead sentHead;
        sentHead.method = s.method;
        sentHead.target = s.url.path(QUrl::FullyEncoded).toLatin1();
        sentHead.headers = s.requestHeaders;
        s.events.append(event(connectedAt, s.id, EventKind::HeadSent).withHead(sentHead));

        for (const QJsonValue &v : response.value(QStringLiteral("_interim")).toArray()) {
            const QJsonObject o = v.toObject();
            MessageHead h;
            h.status = o.value(QStringLiteral("status")).toInt();
            h.reason = bytesOf(o.value(QStringLiteral("statusText")).toString());
            parseVersion(o.value(QStringLiteral("httpVersion")).toString(), &h);
            h.headers = headersOf(o.value(QStringLiteral("headers")));
            const int attempt = o.value(QStringLiteral("attempt")).toInt(0);
            // A retry's earlier attempt (a 100 before the 417) is not the answer the entry came to.
            if (attempt != 1 || !extra.value(QStringLiteral("retried")).toBool())
                s.interimHeads.append(h);
            s.events.append(event(s.startNs + nsOf(o.value(QStringLiteral("time")).toDouble()), s.id,
                                  EventKind::Interim, h.status, -1,
                                  QStringLiteral("%1 %2").arg(h.status).arg(QString::fromLatin1(h.reason)))
                                .withHead(h)
                                .withRequest(attempt));
        }

        const int status = response.value(QStringLiteral("status")).toInt();
        const QJsonObject content = response.value(QStringLiteral("content")).toObject();
        if (status > 0) {
            s.finalStatus = status;
            s.finalHead.status = status;
            s.finalHead.reason = bytesOf(response.value(QStringLiteral("statusText")).toString());
            parseVersion(response.value(QStringLiteral("httpVersion")).toString(), &s.finalHead);
            s.finalHead.headers = headersOf(response.value(QStringLiteral("headers")));
            const QString text = content.value(QStringLiteral("text")).toString();
            s.responseBodyPreview = content.value(QStringLiteral("encoding")).toString() == QLatin1String("base64")
                                        ? QByteArray::fromBase64(text.toLatin1())
                                        : text.toUtf8();
            s.responseBodyPreview.truncate(ClientExchange::kResponsePreview);
            const double size = content.value(QStringLiteral("size")).toDouble(-1);
            const double bodyBytes = response.value(QStringLiteral("bodySize")).toDouble(-1);
            s.responseBodyBytes =
                size >= 0 ? qint64(size) : (bodyBytes >= 0 ? qint64(bodyBytes) : s.responseBodyPreview.size());
            s.responseComplete = true; // HAR records responses that arrived
            s.events.append(event(finalAt, s.id, EventKind::Final, status, -1,
                                  QStringLiteral("%1 %2").arg(status).arg(QString::fromLatin1(s.finalHead.reason)))
                                .withHead(s.finalHead));
            s.events.append(event(doneAt, s.id, EventKind::ResponseDone, status, s.responseBodyBytes));
        }
        s.error = response.value(QStringLiteral("_error")).toString();
        if (!s.finalStatus && s.error.isEmpty())
            s.error = tr("no response in the HAR entry");
        if (!s.error.isEmpty())
            s.events.append(event(*s.endNs, s.id, EventKind::Error, 0, -1, s.error));
        std::stable_sort(s.events.begin(), s.events.end(),
                         [](const TimelineEvent &a, const TimelineEvent &b) { return a.tNs < b.tNs; });

        if (!extra.isEmpty()) {
            const QJsonValue wait = extra.value(QStringLiteral("expect_wait_ms"));
            if (wait.isDouble())
                s.expectWaitNs = nsOf(wait.toDouble());
            s.expectSent = extra.value(QStringLiteral("expect_sent")).toBool(s.expectSent);
            s.retried = extra.value(QStringLiteral("retried")).toBool();
            s.cancelled = extra.value(QStringLiteral("cancelled")).toBool();
            s.bodyBytesSent = qint64(extra.value(QStringLiteral("body_bytes_sent")).toDouble());
            s.bytesSaved = qint64(extra.value(QStringLiteral("bytes_saved")).toDouble());
            const QJsonValue total = extra.value(QStringLiteral("total_ms"));
            if (total.isDouble())
                s.endNs = s.startNs + nsOf(total.toDouble());
        } else {
            // A browser's HAR: the body went unless the server answered first, which HAR cannot tell.
            s.bodyBytesSent = s.finalStatus ? s.bodyBytes : 0;
        }
        session.exchanges.append(std::move(s));
    }
    return session;
}

std::optional<Session> loadHar(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        if (error)
            *error = tr("cannot open %1: %2").arg(path, file.errorString());
        return std::nullopt;
    }
    if (file.size() > kMaxHarBytes) {
        if (error)
            *error = tr("%1 is too large to import (%2 bytes)").arg(path).arg(file.size());
        return std::nullopt;
    }
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(file.readAll(), &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        if (error)
            *error =
                tr("%1: not valid JSON at byte %2: %3").arg(path).arg(parseError.offset).arg(parseError.errorString());
        return std::nullopt;
    }
    QString why;
    auto session = sessionFromHar(doc.object(), &why);
    if (!session && error)
        *error = tr("%1: %2").arg(path, why);
    return session;
}

} // namespace expectlab
