#pragma once

#include <QMetaType>
#include <QString>

namespace expectlab {

enum class Side { Client, Server };

// One list of kinds for both sides. The wire names (kindName) are part of the CLI's JSON contract.
enum class EventKind {
    // client
    Connect,
    Connected,
    HeadSent,
    Interim,
    ExpectTimeout,
    Final,
    ResponseDone,
    Retry,
    // server
    Accepted,
    Head,
    InterimSent,
    FinalSent,
    // both
    BodyStart,
    BodyDone,
    Closed,
    Error,
    Cancelled,
    // server: what the client profiler concluded about a foreign client (ClientProfiler)
    Profile,
};

struct TimelineEvent
{
    qint64 tNs = 0; // monotonicNowNs() when it happened
    Side side = Side::Client;
    int conn = 0; // server: connection number; client: exchange number
    EventKind kind = EventKind::Error;
    int status = 0;    // 0 when the event has no status
    qint64 bytes = -1; // -1 when the event counts no bytes
    QString detail;
    QString rule; // rule id of shared/docs/expect-rules.md the event relates to, e.g. "R6"

    // One event in a single expression; what every recorder (server, client, probe) builds.
    static TimelineEvent at(qint64 tNs, Side side, int conn, EventKind kind, int status = 0, qint64 bytes = -1,
                            QString detail = {}, QString rule = {})
    {
        return {tNs, side, conn, kind, status, bytes, std::move(detail), std::move(rule)};
    }

    bool hasStatus() const { return status != 0; }
    bool hasBytes() const { return bytes >= 0; }
};

QString kindName(EventKind kind);
bool kindFromName(const QString &name, EventKind *kind);
QString sideName(Side side);

} // namespace expectlab

Q_DECLARE_METATYPE(expectlab::TimelineEvent)
