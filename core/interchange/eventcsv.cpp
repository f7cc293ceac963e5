#include "eventcsv.h"

#include <QCoreApplication>
#include <QSaveFile>

#include <QHash>

#include <algorithm>

namespace expectlab {

namespace {
QString csvField(const QString &text)
{
    if (!text.contains(QLatin1Char(',')) && !text.contains(QLatin1Char('"')) && !text.contains(QLatin1Char('\n')) &&
        !text.contains(QLatin1Char('\r')))
        return text;
    QString quoted = text;
    quoted.replace(QLatin1Char('"'), QLatin1String("\"\""));
    return QLatin1Char('"') + quoted + QLatin1Char('"');
}
} // namespace

namespace {
QString msField(qint64 ns)
{
    return QString::number(double(ns / 1000) / 1000.0, 'f', 3);
}
} // namespace

QString eventsToCsv(const QList<TimelineEvent> &events, qint64 originNs, const ExchangeOf &exchangeOf)
{
    QString out = QStringLiteral("t_ms,side,conn,kind,status,bytes,detail,rule,exchange,t_exchange_ms\r\n");
    for (const TimelineEvent &e : events) {
        const std::optional<std::pair<int, qint64>> exchange = exchangeOf ? exchangeOf(e) : std::nullopt;
        const QStringList fields{
            msField(e.tNs - originNs),
            sideName(e.side),
            QString::number(e.conn),
            kindName(e.kind),
            e.hasStatus() ? QString::number(e.status) : QString(),
            e.hasBytes() ? QString::number(e.bytes) : QString(),
            csvField(e.detail),
            csvField(e.rule),
            exchange ? QString::number(exchange->first) : QString(),
            exchange ? msField(e.tNs - exchange->second) : QString(),
        };
        out += fields.join(QLatin1Char(',')) + QStringLiteral("\r\n");
    }
    return out;
}

QString sessionEventsToCsv(const Session &session)
{
    QList<TimelineEvent> all;
    for (const ExchangeSummary &s : session.exchanges)
        all += s.events;
    all += session.serverEvents;
    // Stable: events with equal times keep their recorded order (client before server).
    std::stable_sort(all.begin(), all.end(),
                     [](const TimelineEvent &a, const TimelineEvent &b) { return a.tNs < b.tNs; });
    // Each event's exchange and the time since that exchange began: the figure every pane shows.
    QHash<int, qint64> originOfExchange;
    for (const ExchangeSummary &s : session.exchanges)
        originOfExchange.insert(s.id, s.startNs);
    const QHash<int, int> exchangeOfConnection = session.exchangeOfConnections();
    return eventsToCsv(all, session.earliestNs(), [&](const TimelineEvent &e) -> std::optional<std::pair<int, qint64>> {
        if (e.side == Side::Client)
            return std::make_pair(e.conn, originOfExchange.value(e.conn, e.tNs));
        if (const int id = exchangeOfConnection.value(e.conn); id && originOfExchange.contains(id))
            return std::make_pair(id, originOfExchange.value(id));
        return std::nullopt;
    });
}

bool saveEventsCsv(const Session &session, const QString &path, QString *error)
{
    QSaveFile file(path);
    const QByteArray bytes = sessionEventsToCsv(session).toUtf8();
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit()) {
        if (error)
            *error = QCoreApplication::translate("EventCsv", "cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

} // namespace expectlab
