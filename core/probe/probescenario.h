#pragma once

#include "httpmessage.h"
#include "timelineevent.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <functional>
#include <optional>

namespace expectlab {

// One step of a probe scenario's script. The probe needs byte-level control the normal client
// lacks (a head alone, a body sent early, HTTP/1.0, a second request behind an unread body), so a
// scenario is a list of raw sends and bounded waits rather than a ClientRequest.
struct ProbeStep
{
    enum class Kind {
        Send,  // queue bytes; `event` says what they are on the timeline (HeadSent, BodyStart, ...)
        Await, // wait for a response (see Until), at most waitMs
        Close, // end the scenario and close the connection
    };
    enum class Until {
        AnyResponse, // a response head (1xx or final) that began during this wait
        Final,       // a final response that began during this wait and is complete
        Quiet,       // listen the whole waitMs (ends early only if the peer closes): a desync shows here
    };
    enum class When {
        Always,
        IfNoFinal, // only while no final response has been seen
        IfFinal,   // only after a final response has been seen
    };

    Kind kind = Kind::Send;
    When when = When::Always;
    QByteArray bytes;
    EventKind event = EventKind::HeadSent;
    QString label; // the event's detail, e.g. "head: POST / HTTP/1.1; Expect: 100-continue"
    // The requests these bytes are, as the server may parse them, in order ("POST /", and for a body
    // that is itself a request, "GET /expectlab-desync"): answers are matched to them in order.
    QStringList requests;
    Until until = Until::AnyResponse;
    int waitMs = 0;

    static ProbeStep send(const QByteArray &bytes, EventKind event, const QString &label, When when = When::Always,
                          const QStringList &requests = {});
    static ProbeStep await(Until until, int waitMs, When when = When::Always);
    static ProbeStep close(When when = When::Always);
};

// One response seen on the probe's connection.
struct ProbeResponse
{
    MessageHead head;
    qint64 headNs = 0;     // when its head was complete
    qint64 completeNs = 0; // final responses: when the message ended (0: not yet)
    int afterStep = -1;    // index of the step that was running when it arrived
    qint64 bodyBytes = 0;
    int index = 0;               // 0-based among the connection's responses
    bool closeDelimited = false; // a final with neither length nor chunking: it ends with the close
    bool interim() const { return head.isInterim(); }
};

// Everything one run of a scenario observed: the raw material of its verdict.
struct ProbeObservation
{
    qint64 startNs = 0;
    qint64 connectedNs = 0;
    qint64 endNs = 0;
    QList<TimelineEvent> events;
    QList<ProbeResponse> responses;
    QList<int> sentSteps;            // indexes of the Send steps that went out
    QList<qint64> sentStepNs;        // when each of them went out (same order)
    QList<QStringList> sentRequests; // the requests each sent step holds, as the server may read them
    std::optional<qint64> peerClosedNs;
    bool reset = false;         // the connection ended with a reset (RST), not a close
    qint64 bytesAfterClose = 0; // bytes the server sent after a final response with Connection: close
    QString error;              // transport or parse error; empty when none
    bool connectFailed = false;

    bool stepSent(int index) const { return sentSteps.contains(index); }
    std::optional<qint64> stepSentNs(int index) const;
    QList<ProbeResponse> finals() const;
    QList<ProbeResponse> interims() const;
    // First response (1xx or final) whose head arrived while step `index` or a later one ran.
    const ProbeResponse *firstResponseFrom(int index) const;
};

// Inconclusive: the scenario's question could not be asked (the server speaks HTTP/1.0, or refuses
// the method at this URL), so neither pass nor fail can be said.
enum class ProbeVerdict { Pass, Warn, Fail, Info, Inconclusive };
// "pass", "warn", "fail", "info", "inconclusive": part of the JSON contract
QString verdictName(ProbeVerdict verdict);

struct ProbeAssessment
{
    ProbeVerdict verdict = ProbeVerdict::Info;
    QString message; // one readable sentence
};

// What the scenario's request looks like to the server: its Host, target and the waits.
struct ProbeTarget
{
    QByteArray host; // Host field value (host[:port])
    QByteArray target = "/";
    int timeoutMs = 3000;
};

struct ProbeScenario
{
    QString id;
    QString title;
    QStringList rules;
    QList<ProbeStep> steps;
    // Judges one run; `earlier` holds the results of the scenarios that ran before it, so a verdict
    // can compare (the case variant against plain 100-continue).
    std::function<ProbeAssessment(const ProbeObservation &, const QList<struct ProbeResult> &earlier)> assess;
};

// Timings every report shows, in ms (nullopt when the thing did not happen).
struct ProbeTimings
{
    std::optional<double> firstResponseMs; // head sent -> first response head
    std::optional<double> finalMs;         // head sent -> first final response head
    double durationMs = 0;
};

struct ProbeResult
{
    QString id;
    QString title;
    QStringList rules;
    ProbeVerdict verdict = ProbeVerdict::Info;
    QString message;
    ProbeObservation observation;
    ProbeTimings timings;
    QList<int> statuses; // every response status in order, 1xx included
};

ProbeTimings computeTimings(const ProbeObservation &obs);
QList<int> responseStatuses(const ProbeObservation &obs);

} // namespace expectlab
