#pragma once

#include "bodysource.h"
#include "httpmessage.h"

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

    QUrl url;
    QByteArray method; // empty: POST with a body, GET without
    HttpHeaders headers;
    BodySpec body;
    ExpectMode expect = ExpectMode::Default;
    QByteArray expectValue = "100-continue";
    int expectTimeoutMs = 1000;     // R5: never wait indefinitely
    bool retryWithoutExpect = true; // R6
    bool chunked = false;
    int timeoutMs = 30000; // bounds the whole exchange

    QByteArray effectiveMethod() const;
    // The Expect value to send on the first attempt; empty when none.
    QByteArray expectToSend() const;
    // Checks what can be checked before any network work; empty when valid.
    QString validate() const;
};

} // namespace expectlab
