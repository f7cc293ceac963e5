#pragma once

#include "timelineevent.h"

#include <QHash>
#include <QList>

#include <optional>

namespace expectlab {

// What one request of a foreign client showed about how it handles Expect (rules digest, client
// table): did it send Expect, how long it waited before the first body byte, what it did after a 417
// or another early final status.
struct ClientProfile
{
    enum class Wait {
        NoBody,        // the request announced no content, or the body never came
        None,          // the body came with the head or right behind it (R4)
        Bounded,       // no 100 came and the client sent the body anyway after a while (R5)
        UntilContinue, // the body came only after our 100
    };
    enum class AfterEarlyFinal {
        NotApplicable,
        StoppedAndClosed, // sent nothing more and closed (R21)
        KeptSending,      // body bytes still arrived after the final status
        Reused,           // sent another request on the same connection
        StillOpen,        // nothing more, but left the connection open (only when the server did not close)
    };

    int conn = 0;
    int request = 0; // 1-based index on its connection
    QString method;
    QString target;
    bool http10 = false;
    QString expect;            // empty when none
    qint64 contentLength = -1; // -1: none announced (or chunked)
    bool chunked = false;
    Wait wait = Wait::NoBody;
    qint64 waitNs = -1;      // head -> first body byte
    bool sentAnyway = false; // Expect sent, no 100 before the body, after a wait
    int interimStatus = 0;   // first 1xx we sent
    int finalStatus = 0;
    bool earlyFinal = false; // the final went out before the whole body arrived
    AfterEarlyFinal afterEarlyFinal = AfterEarlyFinal::NotApplicable;
    qint64 bytesAfterFinal = 0;
    qint64 closeAfterFinalNs = -1;
    // Set when this request repeats one that got a 417 (R6).
    int retryOfConn = 0;
    bool retrySameConnection = false;
    qint64 retryAfterNs = -1; // 417 sent -> this head
    bool gaveUp = false;      // the connection closed before any final status

    // "key=value" pairs separated by "; ": the detail of the `profile` event (docs/probe-json.md).
    QString toDetail() const;
    QString waitName() const;
    QString afterEarlyFinalName() const;
};

// Classifies foreign clients from the local server's TimelineEvents, keyed by connection. Sans I/O:
// fed events (TestServer::eventRecorded), answers with `profile` events to record next to them.
class ClientProfiler
{
public:
    // A body that starts this soon after the head was not waited for (R4).
    static constexpr qint64 kImmediateNs = 20'000'000;
    // A new connection repeating a 417'd request within this time is taken as its retry (R6).
    static constexpr qint64 kRetryWindowNs = 10'000'000'000;

    QList<TimelineEvent> consume(const TimelineEvent &event);
    // The most recent profiles, at most kKeptProfiles: a server runs for days and every profile
    // already went out as an event.
    static constexpr qsizetype kKeptProfiles = 1000;
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
    };
    struct Connection
    {
        qint64 acceptedNs = 0;
        int requests = 0;
        std::optional<Request> current;
    };
    struct Rejection
    {
        int conn = 0;
        QString method;
        QString target;
        qint64 tNs = 0;
        bool matched = false;
    };

    void onHead(Connection &c, const TimelineEvent &e, QList<TimelineEvent> &out);
    void finalize(Connection &c, const TimelineEvent &at, QList<TimelineEvent> &out);
    TimelineEvent profileEvent(const ClientProfile &p, const TimelineEvent &at) const;

    QHash<int, Connection> m_connections;
    QList<Rejection> m_rejections;
    QList<ClientProfile> m_profiles;
};

} // namespace expectlab
