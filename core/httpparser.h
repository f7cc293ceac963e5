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
class HttpParser
{
public:
    enum class Kind { Request, Response };
    enum class HeadAction {
        Continue, // go on with the body
        Pause,    // stop feeding right after the head; the next feed() resumes
        SkipBody, // the message has no body whatever its framing says (HEAD responses)
    };

    // Callbacks run inside llhttp_execute(): a sink must not destroy the parser from one.
    class Sink
    {
    public:
        virtual ~Sink() = default;
        virtual HeadAction onHead(const MessageHead &head) = 0;
        virtual void onBody(QByteArrayView data) = 0;
        virtual void onMessageComplete() = 0;
    };

    enum class Status { Ok, Paused, Error };
    struct Result
    {
        Status status = Status::Ok;
        qsizetype consumed = 0;
    };

    HttpParser(Kind kind, Sink *sink);
    HttpParser(const HttpParser &) = delete;
    HttpParser &operator=(const HttpParser &) = delete;

    Result feed(QByteArrayView data);
    // The peer closed: completes a read-until-close body or reports a truncated message.
    Result finish();

    bool hasError() const { return m_error; }
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
    static int onMessageBegin(llhttp_t *p);
    static int onUrl(llhttp_t *p, const char *at, size_t len);
    static int onStatus(llhttp_t *p, const char *at, size_t len);
    static int onMethod(llhttp_t *p, const char *at, size_t len);
    static int onHeaderField(llhttp_t *p, const char *at, size_t len);
    static int onHeaderValue(llhttp_t *p, const char *at, size_t len);
    static int onHeaderValueComplete(llhttp_t *p);
    static int onHeadersComplete(llhttp_t *p);
    static int onBody(llhttp_t *p, const char *at, size_t len);
    static int onMessageComplete(llhttp_t *p);
    static HttpParser *self(llhttp_t *p) { return static_cast<HttpParser *>(p->data); }

    Result fail(llhttp_errno_t err, QByteArrayView data);
    static int countHead(llhttp_t *p, size_t len);

    Kind m_kind;
    Sink *m_sink;
    llhttp_t m_parser;
    llhttp_settings_t m_settings;
    MessageHead m_head;
    QByteArray m_field;
    QByteArray m_value;
    bool m_paused = false;
    bool m_pausedAtEnd = false;
    bool m_pauseAfterMessage = false;
    qint64 m_maxHeadBytes = 0;
    qint64 m_headBytes = 0;
    bool m_inMessage = false;
    bool m_error = false;
    QString m_errorReason;
};

// The message heads that bytes hold, in order, bodies skipped: for a wire log's head records,
// which keep heads whole and bodies only in part. A head cut short is left out.
QList<MessageHead> headsIn(HttpParser::Kind kind, QByteArrayView bytes);

} // namespace expectlab
