#pragma once

#include "expectfield.h"
#include "httpmessage.h"

#include <QString>
#include <QStringList>

#include <optional>

namespace expectlab {

// What the test server does with a request head. A value, parsed from and printed as the CLI's
// --policy strings: continue, delay:MS, ignore, reject, final:CODE, close, and the misbehaviours
// that let users test their clients against a bad server: continue-twice, continue-after-body,
// interim:CODE, reject-after-body, garbage, close-mid-body, silent.
struct ServerPolicy
{
    enum class Kind {
        Continue,
        Delay,
        Ignore,
        Reject,
        Final,
        Close,
        // Misbehaviours
        ContinueTwice,     // two 100s before the body (R17: the client must cope)
        ContinueAfterBody, // the 100 only after the whole body arrived, then 200
        Interim,           // 100 as usual, then interimStatus (102, 103, ...) right before the final
        RejectAfterBody,   // 100, read the whole body, then 417
        Garbage,           // a garbage status line instead of a response, then close
        CloseMidBody,      // 100, then close without a response once body bytes arrive
        Silent,            // never answer; read and discard whatever comes
    };

    Kind kind = Kind::Continue;
    int delayMs = 0;         // Delay
    int finalStatus = 413;   // Final
    int interimStatus = 103; // Interim

    bool isMisbehaviour() const { return isMisbehaviour(kind); }
    static bool isMisbehaviour(Kind k) { return k >= Kind::ContinueTwice; }
    // Every kind in the order menus and help texts list them: the handshake policies, then the
    // misbehaviours. The one list that the CLI's help, the Server panel and the Server menu use.
    static QList<Kind> kinds();
    // kinds() in the groups every list shows apart: the well-behaved policies, then the misbehaviours
    // (a bad server to test a client against).
    static QList<QList<Kind>> kindGroups();
    // A kind's name as written on the command line, with its argument placeholder ("delay:MS").
    static QString name(Kind k);
    // Every policy name with its argument placeholder, for help texts.
    static QStringList names();
    // The names of one group: the handshake policies (misbehaviours false) or the misbehaviours.
    static QStringList names(bool misbehaviours);

    static std::optional<ServerPolicy> parse(const QString &text, QString *error = nullptr);
    QString toString() const;
    // One sentence for tooltips and the status bar.
    QString describe() const;

    friend bool operator==(const ServerPolicy &, const ServerPolicy &) = default;
};

// The server's answer to a request head, before any body byte is read.
struct HeadDecision
{
    enum class Action {
        SendContinueNow,   // 100 at once, then read the body
        SendContinueLater, // 100 after delayMs unless body bytes come first
        ReadBody,          // no 100; read whatever body comes
        RejectExpectation, // 417 without reading the body, then close
        FinalNow,          // finalStatus without reading the body, then close
        CloseNow,          // close without any response
        SendGarbage,       // a status line no parser accepts, then close
    };

    Action action = Action::ReadBody;
    int status = 0; // RejectExpectation: 417; FinalNow: the policy's code
    int delayMs = 0;
    QString why;  // readable reason, goes into the event's detail
    QString rule; // rule id of the rules digest

    friend bool operator==(const HeadDecision &, const HeadDecision &) = default;
};

HeadDecision decideOnHead(const ServerPolicy &policy, const MessageHead &request);

QString actionName(HeadDecision::Action action);

} // namespace expectlab
