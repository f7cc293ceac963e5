#include "policyresponder.h"

#include <QCoreApplication>
#include <QJsonDocument>
#include <QJsonObject>

namespace expectlab {

namespace {
QString tr(const char *text)
{
    return QCoreApplication::translate("PolicyResponder", text);
}

QByteArray jsonBytes(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}
} // namespace

QString PolicyResponder::describe() const
{
    return tr("policy %1").arg(m_policy.toString());
}

void PolicyResponder::requestHead(const MessageHead &request, ServerActions &actions)
{
    const HeadDecision d = onHead(request);
    using A = HeadDecision::Action;
    switch (d.action) {
    case A::SendContinueNow:
        if (actions.continueNow(d.why, d.rule) && continueTwice())
            actions.sendInterim(100, tr("policy continue-twice: a second 100"), QStringLiteral("R17"));
        return;
    case A::SendContinueLater: actions.continueAfter(d.delayMs, d.why, d.rule); return;
    case A::ReadBody: actions.readBody(); return;
    case A::RejectExpectation: actions.refuseExpectation(rejectBody(request), d.why, d.rule); return;
    case A::FinalNow: actions.sendFinal(d.status, earlyFinalBody(d.status, d.why), true, d.why, d.rule); return;
    case A::CloseNow: actions.closeGracefully(d.why); return;
    case A::SendGarbage: actions.sendGarbage(garbage(), tr("a garbage status line (policy garbage)")); return;
    }
}

void PolicyResponder::requestBody(QByteArrayView, qint64 receivedBytes, ServerActions &actions)
{
    if (closeInBody())
        actions.closeNow(tr("policy close-mid-body: closed after %1 body bytes").arg(receivedBytes));
}

void PolicyResponder::requestEnd(const MessageHead &request, const RequestFacts &facts, ServerActions &actions)
{
    using After = AfterBody::Action;
    const AfterBody after = afterBody(request.isHttp10());
    switch (after.action) {
    case After::Silent: actions.stayQuiet(after.why); return;
    case After::InterimFirst: actions.sendInterim(after.status, after.why, after.rule); break;
    case After::RejectLate:
        actions.sendFinal(417, rejectAfterBodyBody(facts.receivedBytes), !facts.keepAlive, after.why, after.rule);
        return;
    case After::Answer: break;
    }
    actions.sendFinal(200, echoBody(request, facts), !facts.keepAlive,
                      facts.keepAlive ? QString() : tr("client asked to close"), QString());
}

PolicyResponder::AfterBody PolicyResponder::afterBody(bool http10) const
{
    using A = AfterBody::Action;
    switch (m_policy.kind) {
    case ServerPolicy::Kind::Silent: return {A::Silent, 0, tr("policy silent: no response will be sent"), {}};
    case ServerPolicy::Kind::ContinueAfterBody:
        if (http10)
            break;
        return {A::InterimFirst, 100, tr("policy continue-after-body: 100 after the whole body"),
                QStringLiteral("R12")};
    case ServerPolicy::Kind::Interim:
        if (http10)
            break;
        return {A::InterimFirst, m_policy.interimStatus, tr("policy interim:%1").arg(m_policy.interimStatus),
                QStringLiteral("R17")};
    case ServerPolicy::Kind::RejectAfterBody:
        return {A::RejectLate, 417, tr("policy reject-after-body"), QStringLiteral("R6")};
    default: break;
    }
    return {A::Answer, 200, {}, {}};
}

QByteArray PolicyResponder::rejectBody(const MessageHead &request)
{
    return jsonBytes(
        {{QStringLiteral("error"), QStringLiteral("expectation_failed")},
         {QStringLiteral("expect"), displayText(request.combinedHeader("Expect").value_or(QByteArray()))}});
}

QByteArray PolicyResponder::earlyFinalBody(int status, const QString &why)
{
    return jsonBytes({{QStringLiteral("error"), QString::fromLatin1(reasonPhrase(status))},
                      {QStringLiteral("status"), status},
                      {QStringLiteral("reason"), why}});
}

QByteArray PolicyResponder::rejectAfterBodyBody(qint64 receivedBytes)
{
    return jsonBytes({{QStringLiteral("error"), QStringLiteral("expectation_failed")},
                      {QStringLiteral("after_body"), true},
                      {QStringLiteral("received_bytes"), receivedBytes}});
}

QByteArray PolicyResponder::errorBody(const QString &code, const QString &reason)
{
    return jsonBytes({{QStringLiteral("error"), code}, {QStringLiteral("reason"), reason}});
}

QByteArray PolicyResponder::echoBody(const MessageHead &request, const RequestFacts &facts)
{
    const auto expect = request.combinedHeader("Expect");
    return jsonBytes({
        {QStringLiteral("received_bytes"), facts.receivedBytes},
        {QStringLiteral("body_before_interim"), facts.bodyBeforeInterim},
        {QStringLiteral("interim_sent"), facts.interimSent},
        {QStringLiteral("method"), displayText(request.method)},
        {QStringLiteral("target"), displayText(request.target)},
        {QStringLiteral("expect"), expect ? QJsonValue(displayText(*expect)) : QJsonValue()},
        // What a proxy between us and the client made of the request (issue 16: an HTTP/1.0 hop).
        {QStringLiteral("version"), QStringLiteral("%1.%2").arg(request.versionMajor).arg(request.versionMinor)},
        {QStringLiteral("connection"), facts.connection},
        {QStringLiteral("request"), facts.request},
    });
}

HttpHeaders PolicyResponder::applicationFinalFields()
{
    return {{"Content-Type", "application/json"}, {"Server", "ExpectLab"}};
}

HttpHeaders PolicyResponder::applicationInterimFields(int status)
{
    // An Early Hints example a browser would act on (RFC 8297).
    if (status == 103)
        return {{"Link", "</style.css>; rel=preload; as=style"}};
    return {};
}

QByteArray PolicyResponder::garbage()
{
    return QByteArrayLiteral("HTTX/9.9 ABC Not A Status Line\r\n\r\n");
}

} // namespace expectlab
