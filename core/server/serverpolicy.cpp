#include "serverpolicy.h"

#include <QCoreApplication>

namespace expectlab {

namespace {
QString tr(const char *text)
{
    return QCoreApplication::translate("ServerPolicy", text);
}

bool parseNonNegativeInt(const QString &text, int *value)
{
    bool ok = false;
    const int v = text.toInt(&ok);
    if (!ok || v < 0)
        return false;
    *value = v;
    return true;
}
} // namespace

std::optional<ServerPolicy> ServerPolicy::parse(const QString &text, QString *error)
{
    const QString t = text.trimmed().toLower();
    const QString name = t.section(QLatin1Char(':'), 0, 0);
    const QString arg = t.section(QLatin1Char(':'), 1);
    const bool hasArg = t.contains(QLatin1Char(':'));
    auto fail = [&](const QString &message) -> std::optional<ServerPolicy> {
        if (error)
            *error = message;
        return std::nullopt;
    };

    ServerPolicy p;
    if (name == QLatin1String("continue") && !hasArg) {
        p.kind = Kind::Continue;
    } else if (name == QLatin1String("ignore") && !hasArg) {
        p.kind = Kind::Ignore;
    } else if (name == QLatin1String("reject") && !hasArg) {
        p.kind = Kind::Reject;
    } else if (name == QLatin1String("close") && !hasArg) {
        p.kind = Kind::Close;
    } else if (name == QLatin1String("delay")) {
        p.kind = Kind::Delay;
        if (!parseNonNegativeInt(arg, &p.delayMs) || p.delayMs > 600000)
            return fail(tr("delay needs a number of milliseconds from 0 to 600000, as in delay:300"));
    } else if (name == QLatin1String("continue-twice") && !hasArg) {
        p.kind = Kind::ContinueTwice;
    } else if (name == QLatin1String("continue-after-body") && !hasArg) {
        p.kind = Kind::ContinueAfterBody;
    } else if (name == QLatin1String("reject-after-body") && !hasArg) {
        p.kind = Kind::RejectAfterBody;
    } else if (name == QLatin1String("garbage") && !hasArg) {
        p.kind = Kind::Garbage;
    } else if (name == QLatin1String("close-mid-body") && !hasArg) {
        p.kind = Kind::CloseMidBody;
    } else if (name == QLatin1String("silent") && !hasArg) {
        p.kind = Kind::Silent;
    } else if (name == QLatin1String("interim")) {
        p.kind = Kind::Interim;
        if (!parseNonNegativeInt(arg, &p.interimStatus) || p.interimStatus < 101 || p.interimStatus > 199)
            return fail(tr("interim needs an informational status from 101 to 199, as in interim:103"));
    } else if (name == QLatin1String("final")) {
        p.kind = Kind::Final;
        if (!parseNonNegativeInt(arg, &p.finalStatus) || p.finalStatus < 200 || p.finalStatus > 599)
            return fail(tr("final needs a final status code from 200 to 599, as in final:413"));
    } else {
        return fail(tr("unknown policy '%1': use one of %2").arg(text, names().join(QStringLiteral(", "))));
    }
    return p;
}

QString ServerPolicy::toString() const
{
    switch (kind) {
    case Kind::Continue: return QStringLiteral("continue");
    case Kind::Delay: return QStringLiteral("delay:%1").arg(delayMs);
    case Kind::Ignore: return QStringLiteral("ignore");
    case Kind::Reject: return QStringLiteral("reject");
    case Kind::Final: return QStringLiteral("final:%1").arg(finalStatus);
    case Kind::Close: return QStringLiteral("close");
    case Kind::ContinueTwice: return QStringLiteral("continue-twice");
    case Kind::ContinueAfterBody: return QStringLiteral("continue-after-body");
    case Kind::Interim: return QStringLiteral("interim:%1").arg(interimStatus);
    case Kind::RejectAfterBody: return QStringLiteral("reject-after-body");
    case Kind::Garbage: return QStringLiteral("garbage");
    case Kind::CloseMidBody: return QStringLiteral("close-mid-body");
    case Kind::Silent: return QStringLiteral("silent");
    }
    return {};
}

QList<ServerPolicy::Kind> ServerPolicy::kinds()
{
    return {Kind::Continue, Kind::Delay,           Kind::Ignore,        Kind::Reject,
            Kind::Final,    Kind::Close,           Kind::ContinueTwice, Kind::ContinueAfterBody,
            Kind::Interim,  Kind::RejectAfterBody, Kind::Garbage,       Kind::CloseMidBody,
            Kind::Silent};
}

QList<QList<ServerPolicy::Kind>> ServerPolicy::kindGroups()
{
    QList<QList<Kind>> groups(2);
    for (const Kind k : kinds())
        groups[isMisbehaviour(k) ? 1 : 0].append(k);
    return groups;
}

QString ServerPolicy::name(Kind k)
{
    switch (k) {
    case Kind::Delay: return QStringLiteral("delay:MS");
    case Kind::Final: return QStringLiteral("final:CODE");
    case Kind::Interim: return QStringLiteral("interim:CODE");
    default: break;
    }
    ServerPolicy p;
    p.kind = k;
    return p.toString();
}

QStringList ServerPolicy::names()
{
    QStringList out;
    for (const Kind k : kinds())
        out.append(name(k));
    return out;
}

QStringList ServerPolicy::names(bool misbehaviours)
{
    QStringList out;
    for (const Kind k : kinds())
        if (isMisbehaviour(k) == misbehaviours)
            out.append(name(k));
    return out;
}

QString ServerPolicy::describe() const
{
    switch (kind) {
    case Kind::Continue: return tr("Send 100 Continue at once, read the body, answer 200 (R11, R12)");
    case Kind::Delay:
        return tr("Send 100 Continue after %1 ms unless the body starts first, then answer 200").arg(delayMs);
    case Kind::Ignore: return tr("Never send 100; read the body whenever it comes, answer 200 (breaks R11)");
    case Kind::Reject:
        return tr("Answer 417 Expectation Failed to any expectation without reading the body, then close");
    case Kind::Final: return tr("Answer %1 before reading the body, then close (R10, R19)").arg(finalStatus);
    case Kind::Close: return tr("Close the connection as soon as the head arrives, without a response");
    case Kind::ContinueTwice: return tr("Misbehave: send 100 Continue twice, then read the body (R17)");
    case Kind::ContinueAfterBody: return tr("Misbehave: send 100 Continue only after the whole body arrived");
    case Kind::Interim:
        return tr("Send 100 as usual, then %1 right before the final response (R17)").arg(interimStatus);
    case Kind::RejectAfterBody: return tr("Misbehave: send 100, read the whole body, then answer 417");
    case Kind::Garbage: return tr("Misbehave: answer with a garbage status line, then close");
    case Kind::CloseMidBody: return tr("Misbehave: send 100, then close without a response once the body starts");
    case Kind::Silent: return tr("Misbehave: never answer; read whatever comes");
    }
    return {};
}

HeadDecision decideOnHead(const ServerPolicy &policy, const MessageHead &request)
{
    using A = HeadDecision::Action;
    const ExpectField expect = readExpect(request);

    if (!expect.others.isEmpty()) {
        QStringList names;
        for (const QByteArray &m : expect.others)
            names << QStringLiteral("'%1'").arg(displayText(m));
        const QString what = expect.others.size() == 1
                                 ? tr("unknown expectation %1").arg(names.first())
                                 : tr("unknown expectations %1").arg(names.join(QStringLiteral(", ")));
        return {A::RejectExpectation, 417, 0, expect.continues > 0 ? tr("%1 beside 100-continue").arg(what) : what,
                QStringLiteral("R1")};
    }
    switch (policy.kind) {
    case ServerPolicy::Kind::Close: return {A::CloseNow, 0, 0, tr("policy close"), QString()};
    case ServerPolicy::Kind::Final:
        return {A::FinalNow, policy.finalStatus, 0,
                tr("policy final:%1, decided from the head").arg(policy.finalStatus), QStringLiteral("R11")};
    case ServerPolicy::Kind::Garbage: return {A::SendGarbage, 0, 0, tr("policy garbage"), QString()};
    default: break;
    }
    if (expect.isEmpty())
        return {A::ReadBody, 0, 0, tr("empty Expect field: no expectation to meet"), QStringLiteral("R1")};
    if (!expect.present)
        return {A::ReadBody, 0, 0, tr("no expectation"), QString()};
    if (request.isHttp10())
        return {A::ReadBody, 0, 0, tr("HTTP/1.0 request: 100-continue ignored"), QStringLiteral("R7")};
    if (policy.kind == ServerPolicy::Kind::Reject)
        return {A::RejectExpectation, 417, 0, tr("policy reject"), QStringLiteral("R11")};
    if (!request.announcesContent())
        return {A::ReadBody, 0, 0, tr("Expect: 100-continue without content (the client breaks R2): no 100 needed"),
                QStringLiteral("R8")};
    switch (policy.kind) {
    case ServerPolicy::Kind::Continue:
        return {A::SendContinueNow, 100, 0,
                expect.continues > 1
                    ? tr("policy continue (100-continue was sent %1 times: one expectation)").arg(expect.continues)
                    : tr("policy continue"),
                QStringLiteral("R11")};
    case ServerPolicy::Kind::Delay:
        return {A::SendContinueLater, 100, policy.delayMs, tr("policy delay:%1").arg(policy.delayMs),
                QStringLiteral("R12")};
    case ServerPolicy::Kind::Ignore: return {A::ReadBody, 0, 0, tr("policy ignore: no 100"), QStringLiteral("R11")};
    case ServerPolicy::Kind::ContinueTwice:
    case ServerPolicy::Kind::Interim:
    case ServerPolicy::Kind::RejectAfterBody:
    case ServerPolicy::Kind::CloseMidBody:
        return {A::SendContinueNow, 100, 0, tr("policy %1").arg(policy.toString()), QStringLiteral("R11")};
    case ServerPolicy::Kind::ContinueAfterBody:
        return {A::ReadBody, 0, 0, tr("policy continue-after-body: no 100 before the body"), QStringLiteral("R12")};
    case ServerPolicy::Kind::Silent:
        return {A::ReadBody, 0, 0, tr("policy silent: no answer at all"), QStringLiteral("R11")};
    default: break;
    }
    return {A::ReadBody, 0, 0, QString(), QString()};
}

QString actionName(HeadDecision::Action action)
{
    switch (action) {
    case HeadDecision::Action::SendContinueNow: return QStringLiteral("continue");
    case HeadDecision::Action::SendContinueLater: return QStringLiteral("continue_later");
    case HeadDecision::Action::ReadBody: return QStringLiteral("read_body");
    case HeadDecision::Action::RejectExpectation: return QStringLiteral("reject");
    case HeadDecision::Action::FinalNow: return QStringLiteral("final");
    case HeadDecision::Action::CloseNow: return QStringLiteral("close");
    case HeadDecision::Action::SendGarbage: return QStringLiteral("garbage");
    }
    return {};
}

} // namespace expectlab
