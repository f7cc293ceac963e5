#pragma once

#include "httpmessage.h"

#include <QByteArray>
#include <QString>

namespace expectlab {

// What a responder may do on a server connection, h11-style: the connection (ServerConnection)
// frames and sends, keeps the protocol's rules and limits, and records every step; the responder
// only decides. Each call's why and rule go into the event it causes.
class ServerActions
{
public:
    virtual ~ServerActions() = default;
    // A 100 now, then read the body. False when no 100 went: the body was already here, so the
    // client did not wait and a 100 would tell it nothing (R8).
    virtual bool continueNow(const QString &why, const QString &rule) = 0;
    // A 100 after delayMs unless the body comes first (then none: R4), then read the body.
    virtual void continueAfter(int delayMs, const QString &why, const QString &rule) = 0;
    // No 100: read whatever body comes.
    virtual void readBody() = 0;
    // Another 1xx; the connection drops it for an HTTP/1.0 request (R15).
    virtual void sendInterim(int status, const QString &why, const QString &rule) = 0;
    // The final response with this content; close: Connection: close and a graceful close after it.
    virtual void sendFinal(int status, const QByteArray &content, bool close, const QString &why,
                           const QString &rule) = 0;
    // 417: the expectation is refused (R6); the request's body is not read. Answers a body over the
    // limit too: the refusal says more than a 413 would (R11).
    virtual void refuseExpectation(const QByteArray &content, const QString &why, const QString &rule) = 0;
    // Bytes that are no HTTP at all (a misbehaviour), then a graceful close.
    virtual void sendGarbage(const QByteArray &bytes, const QString &why) = 0;
    // Close without a response: gracefully (FIN after what is queued), or at once mid-request.
    virtual void closeGracefully(const QString &why) = 0;
    virtual void closeNow(const QString &why) = 0;
    // Never answer this request, nor anything after it.
    virtual void stayQuiet(const QString &why) = 0;

    // A response whose parts the responder gives as they come (the proxy's relay, as the upstream
    // answers), not necessarily from inside one of the Responder calls below: the adapter must then
    // give the connection a turn.
    // A 1xx as given, its reason and fields included; dropped for an HTTP/1.0 request (R15) and once
    // the final began.
    virtual void relayInterim(const MessageHead &head, const QString &why, const QString &rule) = 0;
    // The final head as given. Its framing fields say how the content that follows is framed:
    // Content-Length, Transfer-Encoding: chunked, or neither (the content ends with the connection).
    // close: Connection: close, and a graceful close once the content is out.
    virtual void startFinal(const MessageHead &head, bool close, const QString &why, const QString &rule) = 0;
    virtual void sendContent(const QByteArray &data) = 0;
    virtual void endContent() = 0;

    // A CONNECT's answer (RFC 9110 9.3.6): the 2xx head, then the connection carries bytes both ways
    // and no HTTP: what comes is given to Responder::tunnelData, what goes is sendTunnelData's.
    virtual void startTunnel(const MessageHead &head, const QString &why, const QString &rule) = 0;
    virtual void sendTunnelData(const QByteArray &data) = 0;
};

// What drives a server connection: it reports a request's head, its body as it comes and its end,
// and the responder answers through ServerActions. The test server's policies are one responder
// (PolicyResponder); the recording proxy's relay (ProxyConnection) is another, over the same core.
class Responder
{
public:
    // What the connection saw of the request, for a response that reports it.
    struct RequestFacts
    {
        qint64 receivedBytes = 0;
        bool bodyBeforeInterim = false;
        bool interimSent = false;
        int connection = 0;
        int request = 0;
        bool keepAlive = true; // the request allows another on the connection
    };

    virtual ~Responder() = default;
    // For the accepted event: what answers on this connection ("policy continue").
    virtual QString describe() const = 0;
    // The fields the application adds to every final response, and to an interim of status.
    virtual HttpHeaders finalFields() const { return {}; }
    virtual HttpHeaders interimFields(int) const { return {}; }
    // The content of an answer the connection gives itself (400, 408, 413, 431).
    virtual QByteArray errorContent(const QString &code, const QString &reason) const = 0;

    // The head is complete and passed the connection's own checks (framing, limits).
    virtual void requestHead(const MessageHead &request, ServerActions &actions) = 0;
    // More body bytes came (data, decoded from any chunked framing); receivedBytes in all so far.
    virtual void requestBody(QByteArrayView data, qint64 receivedBytes, ServerActions &actions) = 0;
    // False while the responder can take no more body now (a relay whose next hop is behind, or
    // that holds the body until the upstream decides): the connection parses no more of it, and its
    // body timeout does not run, until this is true again and the adapter resumes the input.
    virtual bool wantsBody() const { return true; }
    // A proxy takes CONNECT requests (and answers them with a tunnel); the test server answers 501.
    virtual bool acceptsTunnels() const { return false; }
    // Bytes from the client after startTunnel (wantsBody() holds them back as it does a body).
    virtual void tunnelData(QByteArrayView, ServerActions &) {}
    // The whole body was read.
    virtual void requestEnd(const MessageHead &request, const RequestFacts &facts, ServerActions &actions) = 0;
};

} // namespace expectlab
