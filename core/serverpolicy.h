#pragma once

#include "httpmessage.h"

#include <QString>

#include <optional>

namespace expectlab {

// What the test server does with a request head. A value, parsed from and printed as the CLI's
// --policy strings: continue, delay:MS, ignore, reject, final:CODE, close.
struct ServerPolicy
{
    enum class Kind { Continue, Delay, Ignore, Reject, Final, Close };

    Kind kind = Kind::Continue;
    int delayMs = 0;       // Delay
    int finalStatus = 413; // Final

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
    };

    Action action = Action::ReadBody;
    int status = 0; // RejectExpectation: 417; FinalNow: the policy's code
    int delayMs = 0;
    QString why;  // readable reason, goes into the event's detail
    QString rule; // rule id of the rules digest

    friend bool operator==(const HeadDecision &, const HeadDecision &) = default;
};

// True when the Expect value is 100-continue: case-insensitive, no parameters (R1).
bool isContinueExpectation(QByteArrayView value);

HeadDecision decideOnHead(const ServerPolicy &policy, const MessageHead &request);

QString actionName(HeadDecision::Action action);

} // namespace expectlab
