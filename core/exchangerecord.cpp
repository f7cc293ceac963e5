#include "exchangerecord.h"

#include "httpparser.h"

#include <QCoreApplication>

namespace expectlab {

namespace {
// The first request head the server received, from its wire log.
MessageHead firstRequestHead(const WireLog &wire)
{
    for (const WireLog::Record &r : wire.records()) {
        if (r.direction != WireLog::Direction::Received || r.body)
            continue;
        const QList<MessageHead> heads = headsIn(HttpParser::Kind::Request, r.bytes);
        return heads.isEmpty() ? MessageHead() : heads.first();
    }
    return {};
}
} // namespace

ExchangeSummary summaryFromServerConnection(const ServerConnectionRecord &c)
{
    ExchangeSummary s;
    s.id = c.id;
    const MessageHead head = firstRequestHead(c.wire);
    s.method = head.method;
    s.requestHeaders = head.headers;
    const QByteArray host = head.header("Host").value_or(QByteArray("?"));
    s.url = QUrl(QStringLiteral("http://%1%2").arg(QString::fromLatin1(host), QString::fromLatin1(head.target)));
    s.bodyBytes = head.contentLength().value_or(0);
    s.expectSent = head.hasHeader("Expect");
    s.events = c.events;
    qint64 headNs = 0;
    for (const TimelineEvent &e : c.events) {
        if (s.startNs == 0)
            s.startNs = e.tNs;
        s.endNs = e.tNs;
        switch (e.kind) {
        case EventKind::Head:
            if (headNs == 0)
                headNs = e.tNs;
            break;
        case EventKind::InterimSent:
            s.interimStatuses.append(e.status);
            if (s.expectSent && !s.expectWaitNs && headNs)
                s.expectWaitNs = e.tNs - headNs;
            break;
        case EventKind::FinalSent:
            if (!s.finalStatus)
                s.finalStatus = e.status;
            if (s.expectSent && !s.expectWaitNs && headNs)
                s.expectWaitNs = e.tNs - headNs;
            break;
        case EventKind::BodyStart:
            // The client did not wait for us: its wait is from the head to its first body byte.
            if (s.expectSent && !s.expectWaitNs && headNs)
                s.expectWaitNs = e.tNs - headNs;
            break;
        case EventKind::BodyDone: s.bodyBytesSent += qMax<qint64>(0, e.bytes); break;
        case EventKind::Error:
            if (s.error.isEmpty())
                s.error = e.detail;
            break;
        default: break;
        }
    }
    if (s.finalStatus && *s.finalStatus >= 300) {
        qint64 bodyReceived = 0;
        for (const WireLog::Record &r : c.wire.records()) {
            if (r.direction == WireLog::Direction::Received && r.body)
                bodyReceived += r.byteCount;
        }
        s.bodyBytesSent = qMax(s.bodyBytesSent, bodyReceived);
        s.bytesSaved = qMax<qint64>(0, s.bodyBytes - bodyReceived);
    }
    if (!s.finalStatus && s.error.isEmpty())
        s.error = QCoreApplication::translate("ExchangeRecord", "the server sent no final response");
    if (s.endNs == 0)
        s.endNs = 1;
    return s;
}

QString clientBehaviourText(const QString &profileDetail)
{
    if (profileDetail.isEmpty())
        return {};
    QHash<QString, QString> kv;
    for (const QString &pair : profileDetail.split(QStringLiteral("; "), Qt::SkipEmptyParts)) {
        const qsizetype eq = pair.indexOf(QLatin1Char('='));
        if (eq > 0)
            kv.insert(pair.left(eq), pair.mid(eq + 1));
    }
    QStringList parts;
    const QString expect = kv.value(QStringLiteral("expect"));
    const QString wait = kv.value(QStringLiteral("wait"));
    if (expect.isEmpty() || expect == QLatin1String("none"))
        parts << QObject::tr("no Expect");
    else if (wait == QLatin1String("until-100"))
        parts << QObject::tr("waits for 100");
    else if (wait == QLatin1String("none"))
        parts << QObject::tr("Expect, body at once (R4)");
    else if (wait == QLatin1String("bounded"))
        parts << QObject::tr("body after %1 ms without 100 (R5)").arg(kv.value(QStringLiteral("wait_ms")));
    else
        parts << QObject::tr("Expect, no body");
    const QString early = kv.value(QStringLiteral("early_final"));
    if (early == QLatin1String("stopped-closed"))
        parts << QObject::tr("stopped after early final (R21)");
    else if (early == QLatin1String("kept-sending"))
        parts << QObject::tr("kept sending after early final");
    if (kv.contains(QStringLiteral("retry")))
        parts << QObject::tr("retried after 417 (R6)");
    if (kv.value(QStringLiteral("gave_up")) == QLatin1String("yes"))
        parts << QObject::tr("gave up");
    return parts.join(QStringLiteral("; "));
}

} // namespace expectlab
