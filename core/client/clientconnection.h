#pragma once

#include "httpparser.h"
#include "sendtracker.h"
#include "timelineevent.h"

#include <QByteArrayList>

#include <optional>

namespace expectlab {

// One HTTP/1.1 connection as a client sees it, sans I/O, h11-style: it frames what the client sends
// (a head, body data, the end of the body, or raw bytes) and parses what the server answers (1xx,
// final head, body data, end of message), and it knows nothing of why: when a body may go, whether
// to wait for a 100, when to give up or retry belong to the driver above it (ClientExchange for a
// composed request, ProbeExchange for a probe's script). Both drivers share this one core.
//
// Every event about output leaves with its last byte: the connection holds it until the adapter
// says (sent()) that byte reached the kernel, and stamps it with that time.
class ClientConnection : private HttpParser::Sink
{
public:
    // What the connection reports to its driver.
    class Listener
    {
    public:
        virtual ~Listener() = default;
        // A checked response head, interim (1xx) or final; the answer says how to read on.
        virtual HttpParser::HeadAction responseHead(const MessageHead &head) = 0;
        virtual void responseData(QByteArrayView data) = 0; // a final response's body bytes
        virtual void responseEnd() = 0;                     // a final response is complete
        // What the server sent breaks the protocol (or a bound): nothing more is parsed.
        virtual void responseFailed(ErrorKind kind, const QString &message) = 0;
        // An event about our output, stamped when its last byte left (notSent when it never did).
        virtual void outputEvent(const TimelineEvent &event) = 0;
        // Where this connection's bytes are logged.
        virtual WireLog &wireLog() = 0;
    };

    struct Rules
    {
        // A client refuses what no server may send it (a status outside 100-599, HTTP/2 or a 101 it
        // never asked for, bytes before its request, too many 1xx). A probe records all of it.
        bool strict = true;
        qint64 maxHeadBytes = 64 * 1024;
        int maxInterims = 100;
    };

    explicit ClientConnection(Listener *listener, Rules rules);
    explicit ClientConnection(Listener *listener)
        : ClientConnection(listener, Rules())
    {}
    ~ClientConnection() override;
    ClientConnection(const ClientConnection &) = delete;
    ClientConnection &operator=(const ClientConnection &) = delete;

    // --- What the client sends
    // A request head; its framing fields (Content-Length, Transfer-Encoding: chunked) say how the
    // body that follows is framed. `announce` (head_sent) leaves with the head's last byte.
    void sendHead(const MessageHead &head, const TimelineEvent &announce);
    // Body bytes, framed as the head said: each call one chunk when chunked. `atFirstByte`
    // (body_start) leaves with the first byte of this call's output.
    void sendData(const QByteArray &data, const std::optional<TimelineEvent> &atFirstByte = std::nullopt);
    // The end of the body (the last chunk when chunked); `announce` (body_done) leaves with its last
    // byte, `atFirstByte` (the body_start of an empty chunked body) with its first.
    void sendEnd(const TimelineEvent &announce, const std::optional<TimelineEvent> &atFirstByte = std::nullopt);
    // Bytes as they are, unframed: a probe's script sends what a correct client never would.
    // `announce` leaves with the last byte; returns that byte's offset in the output.
    qint64 sendRaw(const QByteArray &bytes, bool body, const TimelineEvent &announce);

    bool hasOutput() const { return !m_pieces.isEmpty(); }
    QByteArray takeOutput() { return m_pieces.isEmpty() ? QByteArray() : m_pieces.takeFirst(); }
    // The adapter handed this many more bytes of takeOutput()'s output to the kernel at nowNs.
    void sent(qint64 bytes, qint64 nowNs);
    // The connection is gone: events still waiting for their bytes go out marked notSent.
    void abandon(qint64 nowNs);
    qint64 bytesQueued() const { return m_out.queued(); }
    qint64 bytesSent() const { return m_out.sent(); }
    bool headSent() const { return m_headOffset && m_out.sent() > *m_headOffset; }

    // --- What the server answers
    // Response bytes; returns how many came after reading ended (stopReading()): not ours to read.
    qint64 receive(QByteArrayView data, qint64 nowNs);
    // From responseEnd(): the rest of the stream is not this exchange's (one response per connection,
    // or a response that closes the connection).
    void stopReading();
    bool readingStopped() const { return m_parser.isStopped() || m_stopRequested; }
    bool keepAlive() const { return m_parser.keepAlive(); }
    bool inFinalResponse() const { return m_inFinal; }
    // The server closed: completes a body delimited by the close; the reason when the message it
    // was in was cut short.
    std::optional<QString> peerClosed();

private:
    HttpParser::HeadAction onHead(const MessageHead &head) override;
    void onBody(QByteArrayView data) override;
    void onMessageComplete() override;
    void release(QList<TimelineEvent> &events);
    void refuse(ErrorKind kind, const QString &message);

    Listener *m_listener;
    Rules m_rules;
    HttpParser m_parser;
    SendTracker m_out;
    QByteArrayList m_pieces; // queued output not yet taken by the adapter
    bool m_chunked = false;
    std::optional<qint64> m_headOffset; // the head's last byte
    qint64 m_now = 0;
    bool m_inInterim = false;
    bool m_inFinal = false;
    bool m_stopRequested = false; // by the driver after a response: what follows is counted, not read
    bool m_refused = false;       // stopped by a failure: what follows is neither read nor counted
    int m_interims = 0;
};

} // namespace expectlab
