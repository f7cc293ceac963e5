#include "httpparser.h"

#include <QCoreApplication>

#include <algorithm>

namespace expectlab {

namespace {
QString tr(const char *text)
{
    return QCoreApplication::translate("HttpParser", text);
}

// llhttp's error names (HPE_...) and reasons are for its developers; users read what was wrong.
QString describeParseError(llhttp_errno_t err, QByteArrayView reason)
{
    switch (err) {
    case HPE_INVALID_METHOD: return tr("the request line does not start with a valid method");
    case HPE_INVALID_URL: return tr("the request target has invalid characters");
    case HPE_INVALID_CONSTANT: return tr("the start line is not HTTP (expected HTTP/1.x)");
    case HPE_INVALID_VERSION: return tr("the HTTP version is invalid");
    case HPE_INVALID_HEADER_TOKEN: return tr("a header line has an invalid character");
    case HPE_INVALID_CONTENT_LENGTH:
        return tr("the Content-Length is not a number or appears twice with different values");
    case HPE_UNEXPECTED_CONTENT_LENGTH:
        return tr("Content-Length and Transfer-Encoding: chunked together (RFC 9112 6.3: a smuggling risk)");
    case HPE_INVALID_CHUNK_SIZE: return tr("a chunk-size line is invalid");
    case HPE_INVALID_STATUS: return tr("the status line is invalid");
    case HPE_INVALID_EOF_STATE: return tr("the connection closed in the middle of a message");
    case HPE_INVALID_TRANSFER_ENCODING:
        return tr("Transfer-Encoding without chunked as its final coding (RFC 9112 6.3)");
    case HPE_CLOSED_CONNECTION: return tr("data after a message that closed the connection");
    case HPE_LF_EXPECTED: return tr("a line ends with CR but no LF");
    case HPE_CR_EXPECTED: return tr("a line is missing its CR");
    case HPE_UNEXPECTED_SPACE: return tr("a space where none is allowed");
    case HPE_STRICT:
        if (reason.contains("CRLF after chunk"))
            return tr("chunk data is not followed by CRLF (RFC 9112 7.1)");
        if (reason.contains("LF after"))
            return tr("a line ends with CR but no LF");
        return tr("the message breaks the HTTP/1.1 syntax");
    default: break;
    }
    return tr("the message breaks the HTTP/1.1 syntax");
}

bool isBws(char c)
{
    return c == ' ' || c == '\t';
}

bool isHexDigit(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool isTokenChar(char c)
{
    return isHttpToken(QByteArrayView(&c, 1));
}
} // namespace

QByteArray chunkSizeOfLine(QByteArrayView line, QString *why)
{
    // chunk-size [ chunk-ext ] CRLF, chunk-ext = *( BWS ";" BWS name [ BWS "=" BWS ( token / quoted-string ) ] )
    auto fail = [why](const QString &text) {
        if (why)
            *why = text;
        return QByteArray();
    };
    if (!line.endsWith("\r\n"))
        return fail(tr("a chunk-size line does not end with CRLF"));
    const QByteArrayView text = line.chopped(2);
    qsizetype i = 0;
    while (i < text.size() && isHexDigit(text[i]))
        ++i;
    if (i == 0)
        return fail(tr("a chunk-size line does not start with a hexadecimal size"));
    const QByteArray size = text.first(i).toByteArray();
    auto skipBws = [&] {
        while (i < text.size() && isBws(text[i]))
            ++i;
    };
    while (i < text.size()) {
        skipBws();
        if (i == text.size() || text[i] != ';')
            return fail(tr("a chunk-size line has an invalid character after the size"));
        ++i;
        skipBws();
        const qsizetype nameStart = i;
        while (i < text.size() && isTokenChar(text[i]))
            ++i;
        if (i == nameStart)
            return fail(tr("a chunk extension has no name"));
        const qsizetype afterName = i;
        skipBws();
        if (i == text.size() || text[i] != '=') {
            i = afterName; // no value: the next extension (or the end) follows
            continue;
        }
        ++i;
        skipBws();
        if (i < text.size() && text[i] == '"') {
            ++i;
            bool closed = false;
            while (i < text.size() && !closed) {
                const uchar c = uchar(text[i]);
                if (c == '"') {
                    closed = true;
                } else if (c == '\\') {
                    // quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text )
                    if (i + 1 == text.size() || (uchar(text[i + 1]) < 0x20 && text[i + 1] != '\t') ||
                        uchar(text[i + 1]) == 0x7f)
                        return fail(tr("a chunk extension's quoted string has an invalid escape"));
                    ++i;
                } else if ((c < 0x20 && c != '\t') || c == 0x7f) {
                    return fail(tr("a chunk extension's quoted string has a control character"));
                }
                ++i;
            }
            if (!closed)
                return fail(tr("a chunk extension's quoted string is not closed"));
        } else {
            const qsizetype valueStart = i;
            while (i < text.size() && isTokenChar(text[i]))
                ++i;
            if (i == valueStart)
                return fail(tr("a chunk extension has an empty value"));
        }
    }
    return size;
}

HttpParser::HttpParser(Kind kind, Sink *sink)
    : m_kind(kind)
    , m_sink(sink)
{
    llhttp_settings_init(&m_settings);
    m_settings.on_message_begin = &HttpParser::onMessageBegin;
    m_settings.on_url = &HttpParser::onUrl;
    m_settings.on_status = &HttpParser::onStatus;
    m_settings.on_method = &HttpParser::onMethod;
    m_settings.on_header_field = &HttpParser::onHeaderField;
    m_settings.on_header_value = &HttpParser::onHeaderValue;
    m_settings.on_header_value_complete = &HttpParser::onHeaderValueComplete;
    m_settings.on_headers_complete = &HttpParser::onHeadersComplete;
    m_settings.on_body = &HttpParser::onBody;
    m_settings.on_chunk_complete = &HttpParser::onChunkComplete;
    m_settings.on_message_complete = &HttpParser::onMessageComplete;
    llhttp_init(&m_parser, kind == Kind::Request ? HTTP_REQUEST : HTTP_RESPONSE, &m_settings);
    m_parser.data = this;
}

HttpParser::Result HttpParser::execute(QByteArrayView data)
{
    // An empty feed still runs llhttp up to its next byte-consuming state: after a pause on the
    // head of a request without a body, that completes the message.
    static const char kNothing = 0;
    const char *begin = data.isEmpty() ? &kNothing : data.data();
    const llhttp_errno_t err = llhttp_execute(&m_parser, begin, size_t(data.size()));
    if (err == HPE_OK)
        return {Status::Ok, data.size()};
    const char *pos = llhttp_get_error_pos(&m_parser);
    const qsizetype consumed = pos >= begin && pos <= begin + data.size() ? qsizetype(pos - begin) : 0;
    if (m_stopRequested) {
        m_stopped = true;
        return {Status::Stopped, consumed};
    }
    if (err == HPE_PAUSED)
        return {Status::Paused, consumed};
    if (err == HPE_PAUSED_UPGRADE) {
        // We never answer 101 and never send Upgrade ourselves: the connection stays HTTP/1.1 and
        // what follows is the next message (RFC 9110 7.8).
        llhttp_resume_after_upgrade(&m_parser);
        const Result rest = execute(data.sliced(consumed));
        return {rest.status, consumed + rest.consumed};
    }
    return fail(err, consumed);
}

HttpParser::Result HttpParser::feed(QByteArrayView data)
{
    if (m_error)
        return {Status::Error, 0};
    if (m_stopped)
        return {Status::Stopped, 0};
    if (m_paused) {
        llhttp_resume(&m_parser);
        m_paused = false;
    }
    qsizetype offset = 0;
    bool ranOnce = false;
    for (;;) {
        if (m_chunkLinePending) {
            bool complete = false;
            offset += takeChunkLine(data.sliced(offset), &complete);
            if (!complete) {
                if (m_chunkLine.size() > kMaxChunkLine)
                    return failWith(tr("a chunk-size line is longer than %1 bytes").arg(kMaxChunkLine), offset);
                return {Status::Ok, offset};
            }
            QString why;
            const QByteArray size = chunkSizeOfLine(m_chunkLine, &why);
            m_chunkLine.clear();
            m_chunkLinePending = false;
            if (size.isEmpty())
                return failWith(why, offset);
            // llhttp sees the size alone: the extensions were checked here and mean nothing to us.
            // A zero size begins the trailer section, which gets a head budget of its own.
            if (std::all_of(size.begin(), size.end(), [](char c) { return c == '0'; })) {
                m_inTrailers = true;
                m_headBytes = 0;
            }
            const Result r = execute(size + "\r\n");
            if (r.status == Status::Error || r.status == Status::Stopped)
                return {r.status, offset};
            continue;
        }
        if (ranOnce && offset == data.size())
            return {Status::Ok, offset};
        ranOnce = true;
        const Result r = execute(data.sliced(offset));
        offset += r.consumed;
        if (r.status != Status::Paused)
            return {r.status, offset};
        const PauseReason why = std::exchange(m_pauseReason, PauseReason::None);
        if (why == PauseReason::Sink) {
            m_paused = true;
            return {Status::Paused, offset};
        }
        llhttp_resume(&m_parser);
        if (why == PauseReason::InterimDone) {
            // R17: a 1xx never ends the sequence, but llhttp takes its Connection: close or its
            // HTTP/1.0 for the end of the connection and would swallow the final response.
            llhttp_reset(&m_parser);
        }
    }
}

qsizetype HttpParser::takeChunkLine(QByteArrayView data, bool *complete)
{
    const qsizetype lf = data.indexOf('\n');
    const qsizetype n = lf < 0 ? data.size() : lf + 1;
    // Never keep more than one byte past the limit, whatever the peer sends.
    m_chunkLine.append(data.first(qMin(n, kMaxChunkLine + 1 - m_chunkLine.size())));
    *complete = lf >= 0 && m_chunkLine.size() <= kMaxChunkLine;
    return n;
}

HttpParser::Result HttpParser::finish()
{
    if (m_error)
        return {Status::Error, 0};
    if (m_stopped)
        return {Status::Stopped, 0};
    if (m_chunkLinePending && m_inMessage)
        return failWith(describeParseError(HPE_INVALID_EOF_STATE, {}), 0);
    if (m_paused) {
        llhttp_resume(&m_parser);
        m_paused = false;
    }
    const llhttp_errno_t err = llhttp_finish(&m_parser);
    if (m_stopRequested) {
        // A close-delimited message completed at the close and its sink stopped: no error.
        m_stopped = true;
        return {Status::Stopped, 0};
    }
    if (err == HPE_OK)
        return {Status::Ok, 0};
    return fail(err, 0);
}

bool HttpParser::keepAlive() const
{
    return llhttp_should_keep_alive(&m_parser) != 0;
}

HttpParser::Result HttpParser::fail(llhttp_errno_t err, qsizetype consumed)
{
    const char *reason = llhttp_get_error_reason(&m_parser);
    return failWith(m_callbackReason.isEmpty()
                        ? describeParseError(err, reason ? QByteArrayView(reason) : QByteArrayView())
                        : m_callbackReason,
                    consumed);
}

HttpParser::Result HttpParser::failWith(const QString &reason, qsizetype consumed)
{
    m_error = true;
    m_errorReason = reason;
    return {Status::Error, consumed};
}

int HttpParser::callbackError(const QString &reason)
{
    m_callbackReason = reason;
    return HPE_USER;
}

int HttpParser::onMessageBegin(llhttp_t *p)
{
    HttpParser *s = self(p);
    s->m_head = MessageHead{};
    s->m_field.clear();
    s->m_value.clear();
    s->m_inMessage = true;
    s->m_chunked = false;
    s->m_inTrailers = false;
    s->m_headBytes = 0;
    return HPE_OK;
}

// Span callbacks can fire several times for one token when it straddles two feeds: accumulate.
int HttpParser::countHead(llhttp_t *p, size_t len)
{
    HttpParser *s = self(p);
    s->m_headBytes += qint64(len);
    if (s->m_maxHeadBytes > 0 && s->m_headBytes > s->m_maxHeadBytes)
        return s->callbackError(s->m_inTrailers
                                    ? tr("the trailer section is larger than %1 bytes").arg(s->m_maxHeadBytes)
                                    : tr("the message head is larger than %1 bytes").arg(s->m_maxHeadBytes));
    return HPE_OK;
}

int HttpParser::onUrl(llhttp_t *p, const char *at, size_t len)
{
    if (const int err = countHead(p, len))
        return err;
    self(p)->m_head.target.append(at, qsizetype(len));
    return HPE_OK;
}

int HttpParser::onStatus(llhttp_t *p, const char *at, size_t len)
{
    if (const int err = countHead(p, len))
        return err;
    self(p)->m_head.reason.append(at, qsizetype(len));
    return HPE_OK;
}

int HttpParser::onMethod(llhttp_t *p, const char *at, size_t len)
{
    if (const int err = countHead(p, len))
        return err;
    self(p)->m_head.method.append(at, qsizetype(len));
    return HPE_OK;
}

int HttpParser::onHeaderField(llhttp_t *p, const char *at, size_t len)
{
    if (const int err = countHead(p, len))
        return err;
    self(p)->m_field.append(at, qsizetype(len));
    return HPE_OK;
}

int HttpParser::onHeaderValue(llhttp_t *p, const char *at, size_t len)
{
    if (const int err = countHead(p, len))
        return err;
    self(p)->m_value.append(at, qsizetype(len));
    return HPE_OK;
}

int HttpParser::onHeaderValueComplete(llhttp_t *p)
{
    HttpParser *s = self(p);
    // Debian's llhttp lets a space into a field name, which is how request smuggling starts;
    // refuse it here.
    if (!isHttpToken(s->m_field)) {
        return s->callbackError(
            tr("the header field name '%1' is not a token (RFC 9110 5.1)").arg(displayText(s->m_field)));
    }
    // Trailer fields are checked and counted but not kept: nothing of ours reads them, and a peer could
    // send them without end.
    if (!s->m_inTrailers)
        s->m_head.headers.append({s->m_field, s->m_value.trimmed()});
    s->m_field.clear();
    s->m_value.clear();
    return HPE_OK;
}

int HttpParser::onHeadersComplete(llhttp_t *p)
{
    HttpParser *s = self(p);
    s->m_head.versionMajor = p->http_major;
    s->m_head.versionMinor = p->http_minor;
    if (s->m_kind == Kind::Response)
        s->m_head.status = int(p->status_code);
    const HeadAction action = s->m_sink->onHead(s->m_head);
    if (action == HeadAction::Stop || s->m_stopRequested) {
        s->m_stopRequested = true;
        return -1;
    }
    // R16: a 1xx ends at its header section whatever Content-Length or Transfer-Encoding say.
    if (s->m_kind == Kind::Response && s->m_head.isInterim())
        return 1;
    if (action == HeadAction::SkipBody)
        return 1;
    s->m_chunked = (p->flags & F_CHUNKED) != 0;
    s->m_chunkLinePending = s->m_chunked;
    if (action == HeadAction::Pause) {
        s->m_pausedAtEnd = false;
        s->m_pauseReason = PauseReason::Sink;
        return HPE_PAUSED;
    }
    if (s->m_chunked) {
        s->m_pauseReason = PauseReason::ChunkLine;
        return HPE_PAUSED;
    }
    return HPE_OK;
}

int HttpParser::onBody(llhttp_t *p, const char *at, size_t len)
{
    HttpParser *s = self(p);
    s->m_sink->onBody(QByteArrayView(at, qsizetype(len)));
    return s->m_stopRequested ? -1 : HPE_OK;
}

int HttpParser::onChunkComplete(llhttp_t *p)
{
    HttpParser *s = self(p);
    if (s->m_stopRequested)
        return -1;
    if (p->flags & F_TRAILING)
        return HPE_OK; // the last chunk and its trailers: the message completes next
    s->m_chunkLinePending = true;
    s->m_pauseReason = PauseReason::ChunkLine;
    return HPE_PAUSED;
}

int HttpParser::onMessageComplete(llhttp_t *p)
{
    HttpParser *s = self(p);
    s->m_inMessage = false;
    s->m_chunkLinePending = false;
    s->m_inTrailers = false;
    s->m_sink->onMessageComplete();
    if (s->m_stopRequested)
        return -1;
    if (s->m_kind == Kind::Response && s->m_head.isInterim()) {
        s->m_pauseReason = PauseReason::InterimDone;
        return HPE_PAUSED;
    }
    if (s->m_pauseAfterMessage) {
        s->m_pausedAtEnd = true;
        s->m_pauseReason = PauseReason::Sink;
        return HPE_PAUSED;
    }
    return HPE_OK;
}

QList<MessageHead> headsIn(HttpParser::Kind kind, QByteArrayView bytes)
{
    struct Collector : HttpParser::Sink
    {
        HttpParser::HeadAction onHead(const MessageHead &head) override
        {
            heads.append(head);
            return HttpParser::HeadAction::SkipBody;
        }
        void onBody(QByteArrayView) override {}
        void onMessageComplete() override {}
        QList<MessageHead> heads;
    } collector;
    HttpParser parser(kind, &collector);
    parser.feed(bytes);
    return collector.heads;
}

} // namespace expectlab
