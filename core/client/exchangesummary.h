#pragma once

#include "httpmessage.h"
#include "timelineevent.h"
#include "wirelog.h"

#include <QList>
#include <QUrl>

#include <optional>

namespace expectlab {

// An attempt that a retry superseded (the 417 before the request was repeated without Expect):
// what it sent and what it got, kept apart from the attempt the exchange came to.
struct AttemptSummary
{
    QByteArray expect; // the Expect value it sent; empty for none
    qint64 startNs = 0;
    qint64 endNs = 0;
    QList<MessageHead> interimHeads;
    std::optional<int> finalStatus;
    MessageHead finalHead;
    qint64 bodyBytesSent = 0;

    QList<int> interimStatuses() const;
};

// What one exchange came to: the value the CLI prints, the GUI lists and sessions keep. Its
// answer fields (interims, final, response body, error) are those of its last attempt; earlier
// attempts are in earlierAttempts.
struct ExchangeSummary
{
    int id = 0;
    QUrl url;
    QByteArray method;
    HttpHeaders requestHeaders;  // as sent on the first attempt
    qint64 bodyBytes = 0;        // the body's size
    qint64 startNs = 0;          // the exchange's time origin: every pane and export measures from it
    std::optional<qint64> endNs; // set when the exchange is over
    QList<TimelineEvent> events;
    QList<MessageHead> interimHeads;
    std::optional<int> finalStatus;
    MessageHead finalHead;
    bool responseComplete = false; // the final response arrived whole
    QByteArray responseBodyPreview;
    qint64 responseBodyBytes = 0;
    std::optional<qint64> expectWaitNs;
    qint64 bodyBytesSent = 0; // over all attempts
    // Body bytes never sent over the whole exchange because the server answered first (R21);
    // nothing else (a failure or a cancel saves nothing).
    qint64 bytesSaved = 0;
    bool expectSent = false;
    // The client waited for a 100 that did not come, then sent the body anyway (R5).
    bool sentAnyway = false;
    bool retried = false;
    bool cancelled = false;
    QString error;                         // empty when the exchange ended with a complete final response
    ErrorKind errorKind = ErrorKind::None; // what kind of failure `error` is
    QList<AttemptSummary> earlierAttempts;
    QList<WireLog> wireLogs; // one per attempt
    // What the last attempt's TLS handshake agreed on; null over plain HTTP (issue 15).
    std::shared_ptr<const TlsFacts> tls;

    bool finished() const { return endNs.has_value(); }
    qint64 durationNs() const { return endNs ? *endNs - startNs : 0; }
    // A whole, valid final response to the last attempt and no error: what exit code 0 means.
    bool succeeded() const { return finalStatus && responseComplete && error.isEmpty() && !cancelled; }
    QList<int> interimStatuses() const;
    // One sentence for a status bar: "417: server rejected the expectation; retried without Expect, ..."
    QString outcomeText() const;
    // A stable word for scripts, beside outcomeText(): "continued", "retried", "failed", ...
    QString outcomeCode() const;
};

} // namespace expectlab

Q_DECLARE_METATYPE(expectlab::ExchangeSummary)
