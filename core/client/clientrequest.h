#pragma once

#include "bodysource.h"
#include "httpmessage.h"
#include "tlssettings.h"

#include <QString>
#include <QUrl>

namespace expectlab {

// What the user composed: the request and how the client handles the handshake.
// Defaults follow curl (expect-rules.md, client table): wait 1000 ms, then send the body anyway;
// after a 417, retry once without Expect.
struct ClientRequest
{
    enum class ExpectMode {
        Default, // 100-continue when there is a body (R2: never without one)
        Off,
        On,     // 100-continue even without a body: lets a user test servers against R2
        Custom, // expectValue as given, e.g. an unknown expectation (R1)
    };

    // curl's defaults (expect-rules.md, client table): Expect only for bodies over 1 MiB (7.88,
    // 8.x) and a 1 s wait; our own bound of an exchange is 30 s.
    static constexpr qint64 kCurlExpectThreshold = 1024 * 1024;
    static constexpr int kDefaultExpectTimeoutMs = 1000;
    static constexpr int kDefaultTimeoutMs = 30000;
    // Whether a client that sends Expect only for bodies over threshold (curl's rule) sends it for a
    // body of bodySize bytes.
    static bool expectsFor(qint64 bodySize, qint64 threshold) { return bodySize > threshold; }

    QUrl url;
    QByteArray method; // empty: POST with a body, GET without
    HttpHeaders headers;
    BodySpec body;
    ExpectMode expect = ExpectMode::Default;
    QByteArray expectValue = "100-continue";
    int expectTimeoutMs = kDefaultExpectTimeoutMs; // R5: never wait indefinitely
    bool retryWithoutExpect = true;                // R6
    bool chunked = false;
    int timeoutMs = kDefaultTimeoutMs; // bounds the whole exchange
    ClientTlsSettings tls;             // https:// only: whom to trust (issue 15)

    QByteArray effectiveMethod() const;
    // The Expect value to send on the first attempt; empty when none.
    QByteArray expectToSend() const;
    // The bound of an exchange started from the workbench: the expect wait plus 30 s, and an hour
    // for a file or generated body (long uploads end with the user's Cancel, not with a timer).
    int interactiveTimeoutMs() const;
    // Checks what can be checked before any network work; empty when valid.
    QString validate() const;
};

} // namespace expectlab
