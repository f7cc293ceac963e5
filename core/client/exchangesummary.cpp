#include "exchangesummary.h"

#include "byteformat.h"
#include "exchangeoutcome.h"

#include <QCoreApplication>

namespace expectlab {

namespace {
QString tr(const char *text)
{
    return QCoreApplication::translate("ClientExchange", text);
}

QString ms(qint64 ns)
{
    // A sub-millisecond wait keeps its digits: "0.0 ms" would read as no wait at all.
    const double value = double(ns) / 1e6;
    return QString::number(value, 'f', value < 10 ? 3 : 1);
}

QList<int> statusesOf(const QList<MessageHead> &heads)
{
    QList<int> out;
    out.reserve(heads.size());
    for (const MessageHead &h : heads)
        out.append(h.status);
    return out;
}
} // namespace

QList<int> AttemptSummary::interimStatuses() const
{
    return statusesOf(interimHeads);
}

QList<int> ExchangeSummary::interimStatuses() const
{
    return statusesOf(interimHeads);
}

QString ExchangeSummary::outcomeCode() const
{
    return outcomeKey(classifyOutcome(*this, !finished()));
}

QString ExchangeSummary::outcomeText() const
{
    if (cancelled)
        return tr("cancelled after %1 body bytes").arg(bodyBytesSent);
    const QString totalMs = QString::number(double(durationNs()) / 1e6, 'f', 1);
    if (!finalStatus) {
        if (retried)
            return tr("417: server rejected the expectation; the retry without Expect got no final response: %1")
                .arg(error);
        return tr("no final response: %1").arg(error);
    }
    if (!error.isEmpty()) {
        // A final status came, but not a whole, valid response: that is no success.
        return tr("%1, but the response is incomplete: %2").arg(*finalStatus).arg(error);
    }
    if (retried) {
        return tr("417: server rejected the expectation; retried without Expect, %1 after %2 ms")
            .arg(*finalStatus)
            .arg(totalMs);
    }
    QString text = tr("%1 after %2 ms").arg(*finalStatus).arg(totalMs);
    if (expectWaitNs)
        text += tr("; expect wait %1 ms").arg(ms(*expectWaitNs));
    if (!interimHeads.isEmpty()) {
        QStringList s;
        for (int st : interimStatuses())
            s << QString::number(st);
        text += tr("; interim %1").arg(s.join(QLatin1Char(',')));
    }
    if (bytesSaved > 0)
        text += tr("; %1 of body never sent (R21)").arg(formatBytes(bytesSaved));
    return text;
}

} // namespace expectlab
