#pragma once

#include "timelineevent.h"

#include <QJsonObject>
#include <QString>

#include <optional>

namespace expectlab {

// What one request of a foreign client showed about how it handles Expect (rules digest, client
// table): did it send Expect, how long it waited before the first body byte, what it did after a 417
// or another early final status. A value: profile events carry it (TimelineEvent::profile), views
// and files read its fields, never the detail text.
struct ClientProfile
{
    enum class Wait {
        NoBody,        // the request announced no content
        None,          // the body came with the head or right behind it, or before our early answer left (R4)
        Bounded,       // no 100 came and the client sent the body anyway after a while (R5)
        UntilContinue, // the body came only after our 100 had left
        UntilFinal,    // no body: the client waited for an answer and got a final status (R3)
        UntilClose,    // no body and no answer: the wait ended only because the connection did
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
    bool expectWithoutContent = false; // 100-continue on a request without content: the client breaks R2
    Wait wait = Wait::NoBody;
    qint64 waitNs = -1;      // head -> first body byte, or -> the answer or the close it waited for
    bool sentAnyway = false; // Expect sent, no 100 before the body, after a wait
    int interimStatus = 0;   // first 1xx we sent
    int finalStatus = 0;
    bool garbage = false;    // we answered with garbage (policy garbage), not with a status
    bool earlyFinal = false; // the final (or garbage) went out before the whole body arrived
    AfterEarlyFinal afterEarlyFinal = AfterEarlyFinal::NotApplicable;
    qint64 bytesBeforeFinal = 0; // of an early-answered body: bytes that came before our answer left
    qint64 bytesAfterFinal = 0;  // ... and after it
    qint64 closeAfterFinalNs = -1;
    Closer closedBy = Closer::Unknown; // Local: we (the server) closed first; Peer: the client did
    // Set when this request repeats one that got a 417 (R6).
    int retryOfConn = 0;
    bool retrySameConnection = false;
    qint64 retryAfterNs = -1; // 417 sent -> this head
    bool gaveUp = false;      // the client closed before any answer

    // "key=value" pairs separated by "; ": the detail of the `profile` event (docs/probe-json.md).
    QString toDetail() const;
    QString waitName() const;
    QString afterEarlyFinalName() const;
    // A short phrase for the exchange list: "waits for 100", "body at once (R4)", ...
    QString behaviourText() const;
};

QJsonObject clientProfileToJson(const ClientProfile &p);
// nullopt with a message when the object is not a profile.
std::optional<ClientProfile> clientProfileFromJson(const QJsonObject &o, QString *error);

} // namespace expectlab
