#include "httpparser.h"

namespace expectlab {

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
    m_settings.on_message_complete = &HttpParser::onMessageComplete;
    llhttp_init(&m_parser, kind == Kind::Request ? HTTP_REQUEST : HTTP_RESPONSE, &m_settings);
    m_parser.data = this;
}

HttpParser::Result HttpParser::feed(QByteArrayView data)
{
    if (m_error)
        return {Status::Error, 0};
    if (m_paused) {
        llhttp_resume(&m_parser);
        m_paused = false;
    }
    // An empty feed still runs llhttp up to its next byte-consuming state: after a pause on the
    // head of a request without a body, that completes the message.
    static const char kNothing = 0;
    const char *begin = data.isEmpty() ? &kNothing : data.data();
    const llhttp_errno_t err = llhttp_execute(&m_parser, begin, size_t(data.size()));
    if (err == HPE_OK)
        return {Status::Ok, data.size()};
    if (err == HPE_PAUSED) {
        m_paused = true;
        return {Status::Paused, qsizetype(llhttp_get_error_pos(&m_parser) - begin)};
    }
    return fail(err, data);
}

HttpParser::Result HttpParser::finish()
{
    if (m_error)
        return {Status::Error, 0};
    if (m_paused) {
        llhttp_resume(&m_parser);
        m_paused = false;
    }
    const llhttp_errno_t err = llhttp_finish(&m_parser);
    if (err == HPE_OK)
        return {Status::Ok, 0};
    return fail(err, {});
}

bool HttpParser::keepAlive() const
{
    return llhttp_should_keep_alive(&m_parser) != 0;
}

HttpParser::Result HttpParser::fail(llhttp_errno_t err, QByteArrayView data)
{
    m_error = true;
    const char *reason = llhttp_get_error_reason(&m_parser);
    m_errorReason = QStringLiteral("%1: %2").arg(QString::fromLatin1(llhttp_errno_name(err)),
                                                 QString::fromLatin1(reason ? reason : "parse error"));
    qsizetype consumed = 0;
    if (!data.isEmpty()) {
        const char *pos = llhttp_get_error_pos(&m_parser);
        if (pos >= data.data() && pos <= data.data() + data.size())
            consumed = pos - data.data();
    }
    return {Status::Error, consumed};
}

int HttpParser::onMessageBegin(llhttp_t *p)
{
    HttpParser *s = self(p);
    s->m_head = MessageHead{};
    s->m_field.clear();
    s->m_value.clear();
    s->m_inMessage = true;
    s->m_headBytes = 0;
    return HPE_OK;
}

// Span callbacks can fire several times for one token when it straddles two feeds: accumulate.
int HttpParser::countHead(llhttp_t *p, size_t len)
{
    HttpParser *s = self(p);
    s->m_headBytes += qint64(len);
    if (s->m_maxHeadBytes > 0 && s->m_headBytes > s->m_maxHeadBytes) {
        llhttp_set_error_reason(p, "message head larger than the limit");
        return HPE_USER;
    }
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
    // Debian's llhttp is built lenient and lets a space into a field name, which is how request
    // smuggling starts; refuse it here.
    if (!isHttpToken(s->m_field)) {
        llhttp_set_error_reason(p, "Invalid header field name");
        return HPE_USER;
    }
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
    // R16: a 1xx ends at its header section whatever Content-Length or Transfer-Encoding say.
    if (s->m_kind == Kind::Response && s->m_head.isInterim())
        return 1;
    switch (action) {
    case HeadAction::Continue: return HPE_OK;
    case HeadAction::Pause: s->m_pausedAtEnd = false; return HPE_PAUSED;
    case HeadAction::SkipBody: return 1;
    }
    return HPE_OK;
}

int HttpParser::onBody(llhttp_t *p, const char *at, size_t len)
{
    self(p)->m_sink->onBody(QByteArrayView(at, qsizetype(len)));
    return HPE_OK;
}

int HttpParser::onMessageComplete(llhttp_t *p)
{
    HttpParser *s = self(p);
    s->m_inMessage = false;
    s->m_sink->onMessageComplete();
    if (s->m_pauseAfterMessage) {
        s->m_pausedAtEnd = true;
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
