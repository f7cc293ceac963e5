#pragma once

#include "httpmessage.h"

#include <QByteArrayView>
#include <QList>
#include <QString>

#include <llhttp.h>

namespace expectlab {

// A thin, incremental wrapper over llhttp. It reports heads, body spans and message ends to a sink
// and can stop right after a head so the caller can act before the body (the Expect hook).
// No sockets and no clock: it is fed bytes and says how many it consumed.
//
// Where llhttp 8.1 (Debian 12) disagrees with RFC 9112 the wrapper mends it, using llhttp's own
// callbacks to know where it is: a 1xx never ends the connection's message sequence (R17, even with
// `Connection: close` or HTTP/1.0), an Upgrade that nobody accepted leaves the connection HTTP/1.1,
// and chunk extensions are checked against RFC 9112 7.1.1 (llhttp refuses BWS before `;` and quoted
// pairs, and in its default mode skips two bytes after chunk data without looking at them; we build
// it in strict mode, see cmake/Llhttp.cmake).
class HttpParser
{
public:
    enum class Kind { Request, Response };
    enum class HeadAction {
        Continue, // go on with the body
        Pause,    // stop feeding right after the head; the next feed() resumes
        SkipBody, // the message has no body whatever its framing says (HEAD responses)
        Stop,     // parse nothing more: the sink has decided (a 101, too many interims)
    };

    // Callbacks run inside llhttp_execute(): a sink must not destroy the parser from one. To stop
    // parsing from onBody or onMessageComplete, call stop().
    class Sink
    {
    public:
        virtual ~Sink() = default;
        virtual HeadAction onHead(const MessageHead &head) = 0;
        virtual void onBody(QByteArrayView data) = 0;
        virtual void onMessageComplete() = 0;
    };

    enum class Status {
        Ok,
        Paused,  // the sink paused (at a head, or after a message with setPauseAfterMessage)
        Error,   // malformed input; errorReason() says what was wrong
        Stopped, // the sink stopped parsing; consumed counts the bytes up to that point
    };
    struct Result
    {
        Status status = Status::Ok;
        qsizetype consumed = 0;
    };

    // Longest chunk-size line (size and extensions) accepted; RFC 9112 sets none, servers do.
    static constexpr qsizetype kMaxChunkLine = 4096;

    HttpParser(Kind kind, Sink *sink);
    HttpParser(const HttpParser &) = delete;
    HttpParser &operator=(const HttpParser &) = delete;

    Result feed(QByteArrayView data);
    // The peer closed: completes a read-until-close body or reports a truncated message.
    Result finish();
    // From a sink callback: parse nothing more; the running feed() returns Stopped.
    void stop() { m_stopRequested = true; }

    bool hasError() const { return m_error; }
    bool isStopped() const { return m_stopped; }
    // What was wrong, in words for the user (never llhttp's internal error names).
    QString errorReason() const { return m_errorReason; }
    // Inside a message: a head began and the message has not completed yet.
    bool inMessage() const { return m_inMessage; }
    bool keepAlive() const;
    // Also stop after each complete message, so a caller can tell heads, bodies and the next
    // message apart in what one feed consumed (the server uses it for limits and the wire log).
    void setPauseAfterMessage(bool on) { m_pauseAfterMessage = on; }
    // Fails a head whose start line and fields exceed this many bytes; 0: no limit.
    void setMaxHeadBytes(qint64 bytes) { m_maxHeadBytes = bytes; }
    // The last pause came from the end of a message rather than from a head.
    bool pausedAfterMessage() const { return m_paused && m_pausedAtEnd; }

private:
    // Why llhttp was paused: by the sink (reported to the caller) or by the wrapper itself.
    enum class PauseReason { None, Sink, ChunkLine, InterimDone };

    static int onMessageBegin(llhttp_t *p);
    static int onUrl(llhttp_t *p, const char *at, size_t len);
    static int onStatus(llhttp_t *p, const char *at, size_t len);
    static int onMethod(llhttp_t *p, const char *at, size_t len);
    static int onHeaderField(llhttp_t *p, const char *at, size_t len);
    static int onHeaderValue(llhttp_t *p, const char *at, size_t len);
    static int onHeaderValueComplete(llhttp_t *p);
    static int onHeadersComplete(llhttp_t *p);
    static int onBody(llhttp_t *p, const char *at, size_t len);
    static int onChunkComplete(llhttp_t *p);
    static int onMessageComplete(llhttp_t *p);
    static HttpParser *self(llhttp_t *p) { return static_cast<HttpParser *>(p->data); }

    Result execute(QByteArrayView data);
    Result fail(llhttp_errno_t err, qsizetype consumed);
    Result failWith(const QString &reason, qsizetype consumed);
    qsizetype takeChunkLine(QByteArrayView data, bool *complete);
    static int countHead(llhttp_t *p, size_t len);
    int callbackError(const QString &reason);

    Kind m_kind;
    Sink *m_sink;
    llhttp_t m_parser;
    llhttp_settings_t m_settings;
    MessageHead m_head;
    QByteArray m_field;
    QByteArray m_value;
    PauseReason m_pauseReason = PauseReason::None;
    bool m_paused = false;
    bool m_pausedAtEnd = false;
    bool m_pauseAfterMessage = false;
    qint64 m_maxHeadBytes = 0;
    qint64 m_headBytes = 0;
    bool m_inMessage = false;
    bool m_chunked = false;          // the current message's body is chunked
    bool m_chunkLinePending = false; // the next bytes start a chunk-size line
    bool m_inTrailers = false;       // after the last chunk: trailer fields
    QByteArray m_chunkLine;          // a chunk-size line read so far
    bool m_stopRequested = false;
    bool m_stopped = false;
    bool m_error = false;
    QString m_errorReason;
    QString m_callbackReason; // set by our own checks inside a callback
};

// The message heads that bytes hold, in order, bodies skipped: for a wire log's head records,
// which keep heads whole and bodies only in part. A head cut short is left out.
QList<MessageHead> headsIn(HttpParser::Kind kind, QByteArrayView bytes);

// A chunk-size line as RFC 9112 7.1.1 has it (size, extensions with BWS, tokens or quoted strings,
// CRLF): its size digits, or an empty result and why it is invalid.
QByteArray chunkSizeOfLine(QByteArrayView line, QString *why);

} // namespace expectlab
