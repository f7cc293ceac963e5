#pragma once

#include "httpmessage.h"
#include "responder.h"
#include "serverpolicy.h"

#include <QByteArray>
#include <QString>

namespace expectlab {

// What the test server says, apart from how HTTP/1.1 carries it: the policy's decisions at each
// point of a request (the head: decideOnHead; the body as it comes; its end), the content of every
// response (JSON bodies for people reading curl's output) and the header fields the application
// adds (Server, a 103's Link). It drives ServerConnection, the protocol core, through its
// ServerActions; the core never looks at a policy kind or builds a body itself, so an HTTP/2 core
// can serve this responder, and the proxy's relay can drive the same core.
class PolicyResponder : public Responder
{
public:
    explicit PolicyResponder(const ServerPolicy &policy)
        : m_policy(policy)
    {}
    const ServerPolicy &policy() const { return m_policy; }

    // Responder
    QString describe() const override;
    HttpHeaders finalFields() const override { return applicationFinalFields(); }
    HttpHeaders interimFields(int status) const override { return applicationInterimFields(status); }
    QByteArray errorContent(const QString &code, const QString &reason) const override
    {
        return errorBody(code, reason);
    }
    void requestHead(const MessageHead &request, ServerActions &actions) override;
    void requestBody(QByteArrayView data, qint64 receivedBytes, ServerActions &actions) override;
    void requestEnd(const MessageHead &request, const RequestFacts &facts, ServerActions &actions) override;

    // The decisions the Responder calls above are made of, for tests.

    // The head is complete: 100 now or later, read, refuse, close, garbage (R11, R12).
    HeadDecision onHead(const MessageHead &request) const { return decideOnHead(m_policy, request); }
    // A second 100 right after the first (misbehaviour continue-twice; R17: clients must cope).
    bool continueTwice() const { return m_policy.kind == ServerPolicy::Kind::ContinueTwice; }
    // Close as soon as body bytes arrive (misbehaviour close-mid-body).
    bool closeInBody() const { return m_policy.kind == ServerPolicy::Kind::CloseMidBody; }

    // What happens once the whole body was read.
    struct AfterBody
    {
        enum class Action {
            Answer,       // the final response (200 with the echo body)
            InterimFirst, // an interim (status) and then the final (continue-after-body, interim:CODE)
            RejectLate,   // 417 after reading everything (reject-after-body)
            Silent,       // never answer (silent)
        };
        Action action = Action::Answer;
        int status = 0; // InterimFirst: the interim's status
        QString why;
        QString rule;
    };
    // http10: a 1xx is never sent to an HTTP/1.0 request (R15), so an interim is left out.
    AfterBody afterBody(bool http10) const;

    // Response content: compact JSON, so that a client's output says what the server saw.
    static QByteArray rejectBody(const MessageHead &request);
    static QByteArray earlyFinalBody(int status, const QString &why);
    static QByteArray rejectAfterBodyBody(qint64 receivedBytes);
    static QByteArray errorBody(const QString &code, const QString &reason);
    static QByteArray echoBody(const MessageHead &request, const RequestFacts &facts);

    // The fields the application adds: to a final response, and to an interim of status.
    static HttpHeaders applicationFinalFields();
    static HttpHeaders applicationInterimFields(int status);
    // The garbage misbehaviour's "status line".
    static QByteArray garbage();

private:
    ServerPolicy m_policy;
};

} // namespace expectlab
