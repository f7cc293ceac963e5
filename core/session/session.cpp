#include "session.h"

#include "monotonicclock.h"

namespace expectlab {

Session Session::startingNow()
{
    Session s;
    s.originNs = monotonicNowNs();
    s.originUtc = QDateTime::currentDateTimeUtc();
    return s;
}

QDateTime Session::wallTime(qint64 ns) const
{
    const QDateTime origin = originUtc.isValid() ? originUtc : QDateTime::fromMSecsSinceEpoch(0, Qt::UTC);
    // Whole milliseconds: QDateTime keeps nothing finer.
    return origin.addMSecs((ns - originNs) / 1'000'000);
}

qint64 Session::earliestNs() const
{
    std::optional<qint64> earliest;
    auto consider = [&earliest](qint64 t) {
        if (!earliest || t < *earliest)
            earliest = t;
    };
    for (const ExchangeSummary &s : exchanges) {
        consider(s.startNs);
        for (const TimelineEvent &e : s.events)
            consider(e.tNs);
    }
    for (const TimelineEvent &e : serverEvents)
        consider(e.tNs);
    for (const TimelineEvent &e : proxyEvents)
        consider(e.tNs);
    return earliest.value_or(originNs);
}

QHash<int, int> Session::exchangeOfConnections() const
{
    const auto key = endpointKey;
    QHash<QString, int> exchangeByLocalEnd;
    for (const ExchangeSummary &s : exchanges) {
        for (const TimelineEvent &e : s.events) {
            if (e.kind == EventKind::Connected && e.endpoints)
                exchangeByLocalEnd.insert(key(e.endpoints->localAddress, e.endpoints->localPort), s.id);
        }
    }
    QHash<int, int> out;
    for (const SessionServerConnection &c : serverConnections) {
        if (c.exchangeId)
            out.insert(c.id, c.exchangeId);
    }
    for (const TimelineEvent &e : serverEvents) {
        if (e.kind != EventKind::Accepted || !e.endpoints || out.contains(e.conn))
            continue;
        if (const int id = exchangeByLocalEnd.value(key(e.endpoints->peerAddress, e.endpoints->peerPort)))
            out.insert(e.conn, id);
    }
    return out;
}

int Session::nextExchangeId() const
{
    int id = 0;
    for (const ExchangeSummary &s : exchanges)
        id = qMax(id, s.id);
    return id + 1;
}

} // namespace expectlab
