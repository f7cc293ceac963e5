#pragma once

#include "clientprofile.h"
#include "timelineevent.h"

#include <QHash>
#include <QList>

#include <optional>

namespace expectlab {

// Classifies foreign clients from the local server's TimelineEvents, keyed by connection. Sans I/O:
// fed events (TestServer::eventRecorded), answers with `profile` events to record next to them.
// It reads only the events' typed fields (the head, bytes before and after an early answer, who
// closed first), never their detail text.
class ClientProfiler
{
public:
    // A body that starts this soon after the head was not waited for (R4).
    static constexpr qint64 kImmediateNs = 20'000'000;
    // A new connection repeating a 417'd request within this time is taken as its retry (R6).
    static constexpr qint64 kRetryWindowNs = 10'000'000'000;
    // The most recent profiles, at most kKeptProfiles: a server runs for days and every profile
    // already went out as an event. Rejections awaiting their retry are bounded the same way.
    static constexpr qsizetype kKeptProfiles = 1000;

    QList<TimelineEvent> consume(const TimelineEvent &event);
    const QList<ClientProfile> &profiles() const { return m_profiles; }
    void clear();

private:
    struct Request
    {
        ClientProfile profile;
        qint64 headNs = 0;
        qint64 interimNs = -1;
        qint64 bodyStartNs = -1;
        qint64 finalNs = -1;
        bool bodyDone = false;
        bool announced = false;
        bool bodyTimedOut = false;       // our body timeout fired
        bool answerEndedOurWait = false; // the final was that timeout's 408
    };
    struct Connection
    {
        int requests = 0;
        QHostAddress peer;
        std::optional<Request> current;
    };
    struct Rejection
    {
        int conn = 0;
        QHostAddress peer;
        QString method;
        QString target;
        qint64 tNs = 0;
        bool matched = false;
    };

    void onHead(Connection &c, const TimelineEvent &e, QList<TimelineEvent> &out);
    void onAnswer(Connection &c, const TimelineEvent &e, QList<TimelineEvent> &out);
    void onClosed(Connection &c, const TimelineEvent &e, QList<TimelineEvent> &out);
    void finalize(Connection &c, const TimelineEvent &at, QList<TimelineEvent> &out, qint64 endNs = -1);
    TimelineEvent profileEvent(const ClientProfile &p, const TimelineEvent &at) const;

    QHash<int, Connection> m_connections;
    QList<Rejection> m_rejections;
    QList<ClientProfile> m_profiles;
};

} // namespace expectlab
