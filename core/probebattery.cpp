#include "probebattery.h"

#include <QCoreApplication>

#include <algorithm>

namespace expectlab::probe {

namespace {
QString tr(const char *text)
{
    return QCoreApplication::translate("ProbeBattery", text);
}

using Step = ProbeStep;
using When = ProbeStep::When;
using Until = ProbeStep::Until;

constexpr QByteArrayView kSmallBody = "expectlab-probe!"; // 16 bytes

QString ms(qint64 ns)
{
    return QString::number(double(ns) / 1e6, 'f', 1) + QStringLiteral(" ms");
}

QByteArray requestHead(const ProbeTarget &t, const QByteArray &method, int minor, const HttpHeaders &extra)
{
    MessageHead head;
    head.method = method;
    head.target = t.target;
    head.versionMinor = minor;
    head.headers = {{"Host", t.host}, {"User-Agent", "expectlab-probe/" EXPECTLAB_VERSION}, {"Accept", "*/*"}};
    head.headers += extra;
    return head.serializeRequest();
}

QString headLabel(const QByteArray &head)
{
    // The request line and the fields that matter for the handshake, on one line.
    QStringList parts;
    const QList<QByteArray> lines = head.split('\n');
    for (qsizetype i = 0; i < lines.size(); ++i) {
        const QByteArray line = lines.at(i).trimmed();
        if (line.isEmpty())
            continue;
        const QByteArray lower = line.toLower();
        if (i == 0 || lower.startsWith("expect:") || lower.startsWith("content-length:") ||
            lower.startsWith("transfer-encoding:"))
            parts << QString::fromLatin1(line);
    }
    return tr("head: %1").arg(parts.join(QStringLiteral("; ")));
}

// The first 100 or final response to the head sent as step `headStep`, if it came before the body
// (step `bodyStep`) went out.
const ProbeResponse *answerBeforeBody(const ProbeObservation &obs, int headStep, int bodyStep)
{
    for (const ProbeResponse &r : obs.responses) {
        if (r.afterStep < headStep)
            continue;
        if (r.afterStep >= bodyStep && obs.stepSent(bodyStep))
            return nullptr;
        if (!r.interim() || r.head.status == 100)
            return &r;
    }
    return nullptr;
}

QString finalsText(const ProbeObservation &obs)
{
    QStringList s;
    for (const ProbeResponse &r : obs.responses)
        s << QString::number(r.head.status);
    return s.isEmpty() ? tr("no response") : s.join(QStringLiteral(", "));
}

// continue-small, continue-large, case-variant, chunked: head, wait, body, final.
ProbeAssessment assessContinue(const ProbeObservation &obs, bool caseVariant, const QList<ProbeResult> &earlier)
{
    constexpr int headStep = 0;
    constexpr int bodyStep = 2;
    const qint64 headNs = obs.stepSentNs(headStep).value_or(obs.startNs);
    const ProbeResponse *r = answerBeforeBody(obs, headStep, bodyStep);
    if (!r) {
        return {ProbeVerdict::Fail,
                tr("neither a 100 nor a final status before the body; responses: %1 (R11)").arg(finalsText(obs))};
    }
    const qint64 wait = r->headNs - headNs;
    const bool late = wait > qint64(kPromptMs) * 1'000'000;
    if (!r->interim()) {
        if (r->head.status == 417) {
            // Only a failure when the lower-case spelling was accepted: a server that rejects every
            // 100-continue is consistent (and warned about there).
            const auto plain = std::find_if(earlier.begin(), earlier.end(), [](const ProbeResult &r) {
                return r.id == QLatin1String("continue-small");
            });
            if (caseVariant && (plain == earlier.end() || !plain->statuses.contains(417)))
                return {ProbeVerdict::Fail, tr("417 after %1: 100-continue is case-insensitive (R1)").arg(ms(wait))};
            return {ProbeVerdict::Warn,
                    tr("417 after %1 to the one defined expectation; clients must retry without it (R6)").arg(ms(wait))};
        }
        if (late)
            return {ProbeVerdict::Warn, tr("final %1 only after %2: clients will have sent the body (R11)")
                                             .arg(r->head.status)
                                             .arg(ms(wait))};
        return {ProbeVerdict::Pass,
                tr("final %1 after %2, before any body byte (R11)").arg(r->head.status).arg(ms(wait))};
    }
    // A 100 came first: the final must follow the body (R9).
    const QList<ProbeResponse> finals = obs.finals();
    if (finals.isEmpty())
        return {ProbeVerdict::Fail, tr("100 after %1 but no final status after the body (R9)").arg(ms(wait))};
    if (late)
        return {ProbeVerdict::Warn, tr("100 only after %1: clients waiting %2 ms send the body first (R12); then %3")
                                         .arg(ms(wait))
                                         .arg(kPromptMs)
                                         .arg(finals.first().head.status)};
    return {ProbeVerdict::Pass, tr("100 after %1, then %2").arg(ms(wait)).arg(finals.first().head.status)};
}

ProbeScenario continueScenario(const ProbeTarget &t, const QString &id, const QString &title, QByteArray expect,
                               const QByteArray &body, bool chunked, const QStringList &rules, bool caseVariant)
{
    HttpHeaders h{{"Content-Type", "application/octet-stream"}};
    QByteArray wireBody = body;
    if (chunked) {
        h.append(HttpHeader("Transfer-Encoding", "chunked"));
        wireBody = QByteArray::number(body.size(), 16) + "\r\n" + body + "\r\n0\r\n\r\n";
    } else {
        h.append(HttpHeader("Content-Length", QByteArray::number(body.size())));
    }
    h.append(HttpHeader("Expect", expect));
    const QByteArray head = requestHead(t, "POST", 1, h);
    ProbeScenario s;
    s.id = id;
    s.title = title;
    s.rules = rules;
    s.steps = {Step::send(head, EventKind::HeadSent, headLabel(head)),
               Step::await(Until::AnyResponse, t.timeoutMs),
               Step::send(wireBody, EventKind::BodyStart, tr("body: %1 bytes%2").arg(body.size()).arg(chunked ? tr(", chunked") : QString()),
                          When::IfNoFinal),
               Step::await(Until::Final, t.timeoutMs, When::IfNoFinal),
               Step::close()};
    s.assess = [caseVariant](const ProbeObservation &obs, const QList<ProbeResult> &earlier) {
        return assessContinue(obs, caseVariant, earlier);
    };
    return s;
}

ProbeScenario bodyAtOnce(const ProbeTarget &t)
{
    const QByteArray head = requestHead(
        t, "POST", 1, {{"Content-Length", QByteArray::number(kSmallBody.size())}, {"Expect", "100-continue"}});
    ProbeScenario s;
    s.id = QStringLiteral("body-at-once");
    s.title = tr("Expect: 100-continue with the body sent at once");
    s.rules = {QStringLiteral("R4"), QStringLiteral("R8")};
    s.steps = {Step::send(head + kSmallBody.toByteArray(), EventKind::HeadSent,
                          headLabel(head) + tr(" + body: %1 bytes").arg(kSmallBody.size())),
               Step::await(Until::Final, t.timeoutMs), Step::close()};
    s.assess = [](const ProbeObservation &obs, const QList<ProbeResult> &) -> ProbeAssessment {
        const QList<ProbeResponse> finals = obs.finals();
        if (finals.isEmpty())
            return {ProbeVerdict::Fail, tr("no final status although the body came with the head (R4)")};
        const qint64 wait = finals.first().headNs - obs.stepSentNs(0).value_or(obs.startNs);
        const bool interim = !obs.interims().isEmpty();
        const QString how = interim ? tr("a 100 first (R8 allows omitting it)") : tr("no 100 (R8)");
        if (finals.first().head.status == 417)
            return {ProbeVerdict::Warn, tr("417 after %1 although the body was already sent (R4)").arg(ms(wait))};
        return {ProbeVerdict::Pass, tr("final %1 after %2, %3").arg(finals.first().head.status).arg(ms(wait)).arg(how)};
    };
    return s;
}

ProbeScenario unknownExpectation(const ProbeTarget &t)
{
    const QByteArray head = requestHead(
        t, "POST", 1, {{"Content-Length", QByteArray::number(kSmallBody.size())}, {"Expect", "x-unknown"}});
    ProbeScenario s;
    s.id = QStringLiteral("unknown-expectation");
    s.title = tr("Unknown expectation Expect: x-unknown");
    s.rules = {QStringLiteral("R1")};
    s.steps = {Step::send(head, EventKind::HeadSent, headLabel(head)), Step::await(Until::AnyResponse, t.timeoutMs),
               Step::send(kSmallBody.toByteArray(), EventKind::BodyStart, tr("body: %1 bytes").arg(kSmallBody.size()),
                          When::IfNoFinal),
               Step::await(Until::Final, t.timeoutMs, When::IfNoFinal), Step::close()};
    s.assess = [](const ProbeObservation &obs, const QList<ProbeResult> &) -> ProbeAssessment {
        const QList<ProbeResponse> finals = obs.finals();
        if (finals.isEmpty())
            return {ProbeVerdict::Fail, tr("no final status; responses: %1").arg(finalsText(obs))};
        const int status = finals.first().head.status;
        if (status == 417)
            return {ProbeVerdict::Pass, tr("417 Expectation Failed (R1)")};
        const bool continued = !obs.interims().isEmpty();
        if (status >= 200 && status < 300)
            return {ProbeVerdict::Warn, tr("unknown expectation ignored%1: %2 (R1: 417 expected)")
                                            .arg(continued ? tr(", 100 sent") : QString())
                                            .arg(status)};
        return {ProbeVerdict::Warn, tr("answered %1, not 417 (R1)").arg(status)};
    };
    return s;
}

ProbeScenario http10(const ProbeTarget &t)
{
    const QByteArray head = requestHead(
        t, "POST", 0, {{"Content-Length", QByteArray::number(kSmallBody.size())}, {"Expect", "100-continue"}});
    ProbeScenario s;
    s.id = QStringLiteral("http10-expect");
    s.title = tr("HTTP/1.0 request with Expect: 100-continue");
    s.rules = {QStringLiteral("R7"), QStringLiteral("R15")};
    s.steps = {Step::send(head, EventKind::HeadSent, headLabel(head)),
               Step::await(Until::AnyResponse, qMin(t.timeoutMs, kHttp10ListenMs)),
               Step::send(kSmallBody.toByteArray(), EventKind::BodyStart, tr("body: %1 bytes").arg(kSmallBody.size()),
                          When::IfNoFinal),
               Step::await(Until::Final, t.timeoutMs, When::IfNoFinal), Step::close()};
    s.assess = [](const ProbeObservation &obs, const QList<ProbeResult> &) -> ProbeAssessment {
        const QList<ProbeResponse> interims = obs.interims();
        if (!interims.isEmpty())
            return {ProbeVerdict::Fail, tr("sent %1 to an HTTP/1.0 request (R15, R7)").arg(interims.first().head.status)};
        const QList<ProbeResponse> finals = obs.finals();
        if (finals.isEmpty())
            return {ProbeVerdict::Warn, tr("no 1xx, but no final status either")};
        return {ProbeVerdict::Pass, tr("no 1xx; final %1 (R7)").arg(finals.first().head.status)};
    };
    return s;
}

ProbeScenario noContent(const ProbeTarget &t)
{
    const QByteArray head = requestHead(t, "POST", 1, {{"Content-Length", "0"}, {"Expect", "100-continue"}});
    ProbeScenario s;
    s.id = QStringLiteral("no-content");
    s.title = tr("Expect: 100-continue without content");
    s.rules = {QStringLiteral("R2"), QStringLiteral("R8")};
    s.steps = {Step::send(head, EventKind::HeadSent, headLabel(head)), Step::await(Until::Final, t.timeoutMs),
               Step::close()};
    s.assess = [](const ProbeObservation &obs, const QList<ProbeResult> &) -> ProbeAssessment {
        const QList<ProbeResponse> finals = obs.finals();
        if (finals.isEmpty())
            return {ProbeVerdict::Fail, tr("stalled: no final status for a request without content (R8)")};
        const qint64 wait = finals.first().headNs - obs.stepSentNs(0).value_or(obs.startNs);
        return {ProbeVerdict::Pass, tr("final %1 after %2%3")
                                        .arg(finals.first().head.status)
                                        .arg(ms(wait))
                                        .arg(obs.interims().isEmpty() ? QString() : tr(" (a 100 first)"))};
    };
    return s;
}

ProbeScenario earlyFinal(const ProbeTarget &t)
{
    const QByteArray head = requestHead(
        t, "POST", 1, {{"Content-Length", QByteArray::number(kHugeBody)}, {"Expect", "100-continue"}});
    // What a desynchronised server would read as the next request if it took the unread body for one.
    ProbeTarget desync = t;
    desync.target = "/expectlab-desync";
    const QByteArray behind = requestHead(desync, "GET", 1, {});
    ProbeScenario s;
    s.id = QStringLiteral("early-final");
    s.title = tr("Early final status, then a request right behind the unread body");
    s.rules = {QStringLiteral("R10"), QStringLiteral("R19"), QStringLiteral("R22")};
    s.steps = {Step::send(head, EventKind::HeadSent, headLabel(head)), Step::await(Until::AnyResponse, t.timeoutMs),
               Step::close(When::IfNoFinal),
               Step::send(behind, EventKind::BodyStart, tr("a request right behind the unread body: GET /expectlab-desync"),
                          When::IfFinal),
               Step::await(Until::Final, qMin(t.timeoutMs, kPromptMs)), Step::close()};
    s.assess = [](const ProbeObservation &obs, const QList<ProbeResult> &) -> ProbeAssessment {
        const ProbeResponse *first = obs.firstResponseFrom(0);
        if (!first || first->interim()) {
            return {ProbeVerdict::Info, tr("no early final status (%1): nothing to check; the announced %2 bytes were not sent")
                                            .arg(first ? QString::number(first->head.status) : tr("no response"))
                                            .arg(kHugeBody)};
        }
        const int status = first->head.status;
        const bool closeAnnounced = first->head.hasConnectionToken("close") || first->head.isHttp10();
        const QList<ProbeResponse> finals = obs.finals();
        if (closeAnnounced && obs.bytesAfterClose > 0)
            return {ProbeVerdict::Fail, tr("%1 said Connection: close, yet %2 more bytes followed: the request behind it was answered (R22)")
                                            .arg(status)
                                            .arg(obs.bytesAfterClose)};
        if (finals.size() > 1) {
            if (closeAnnounced)
                return {ProbeVerdict::Fail, tr("%1 said Connection: close, yet the request behind it was answered %2 (R22)")
                                                .arg(status)
                                                .arg(finals.at(1).head.status)};
            return {ProbeVerdict::Fail, tr("desync: after %1 the unread body was read as a request and answered %2 (R19)")
                                            .arg(status)
                                            .arg(finals.at(1).head.status)};
        }
        if (!closeAnnounced && first->head.hasConnectionToken("keep-alive")) {
            return {ProbeVerdict::Pass, tr("%1 before the body with Connection: keep-alive: it reads on, and the request "
                                           "behind the body was not taken for one (R10, R19)")
                                            .arg(status)};
        }
        if (!closeAnnounced) {
            return {ProbeVerdict::Warn, tr("%1 before the body without Connection: close: the client cannot tell whether the server reads on (R10)%2")
                                            .arg(status)
                                            .arg(obs.peerClosedNs ? tr("; it closed") : QString())};
        }
        if (!obs.peerClosedNs) {
            // nginx keeps reading for its lingering_timeout before it closes: not a fault as long
            // as nothing behind the final status is answered.
            return {ProbeVerdict::Pass, tr("%1 with Connection: close; the request behind it was not answered; "
                                           "still open after %2 ms (lingering close) (R10, R19)")
                                            .arg(status)
                                            .arg(kPromptMs)};
        }
        return {ProbeVerdict::Pass, tr("%1 with Connection: close, closed, nothing more answered (R10, R19)").arg(status)};
    };
    return s;
}
// The desync check proper: a small body that is itself a complete request, and a second request
// right behind it. An unknown expectation is the most portable way to get an early final status
// (Apache, Node.js, Go and ExpectLab answer 417 before reading the body).
ProbeScenario earlyFinalDesync(const ProbeTarget &t)
{
    ProbeTarget smuggled = t;
    smuggled.target = "/expectlab-desync";
    const QByteArray body = requestHead(smuggled, "GET", 1, {});
    ProbeTarget second = t;
    second.target = "/expectlab-second";
    const QByteArray behind = requestHead(second, "GET", 1, {});
    const QByteArray head = requestHead(
        t, "POST", 1, {{"Content-Length", QByteArray::number(body.size())}, {"Expect", "x-unknown"}});
    ProbeScenario s;
    s.id = QStringLiteral("early-final-desync");
    s.title = tr("Body that looks like a request, then a second request, after an early 417");
    s.rules = {QStringLiteral("R19"), QStringLiteral("R10"), QStringLiteral("R22")};
    s.steps = {Step::send(head, EventKind::HeadSent, headLabel(head)), Step::await(Until::AnyResponse, t.timeoutMs),
               Step::send(body + behind, EventKind::BodyStart,
                          tr("body: GET /expectlab-desync (%1 bytes), then GET /expectlab-second").arg(body.size())),
               Step::await(Until::Final, t.timeoutMs),
               // A desynchronised server answers one request more: listen for it.
               Step::await(Until::Final, qMin(t.timeoutMs, kPromptMs)), Step::close()};
    s.assess = [](const ProbeObservation &obs, const QList<ProbeResult> &) -> ProbeAssessment {
        constexpr int bodyStep = 2;
        const ProbeResponse *first = obs.firstResponseFrom(0);
        const bool early = first && !first->interim() && first->afterStep < bodyStep;
        QList<ProbeResponse> after;
        for (const ProbeResponse &r : obs.responses) {
            if (!r.interim() && &r != first && r.afterStep >= bodyStep)
                after.append(r);
        }
        if (!early) {
            return {ProbeVerdict::Info, tr("no early final status (responses: %1): the body was read as a body")
                                            .arg(finalsText(obs))};
        }
        const int status = first->head.status;
        if (first->head.hasConnectionToken("close")) {
            if (!after.isEmpty() || obs.bytesAfterClose > 0)
                return {ProbeVerdict::Fail, tr("%1 said Connection: close, yet a request behind it was answered (R22)").arg(status)};
            return {ProbeVerdict::Pass, tr("%1 with Connection: close; nothing behind it was answered (R10, R22)").arg(status)};
        }
        if (after.size() >= 2) {
            return {ProbeVerdict::Fail, tr("desync: after %1 the unread body was read as a request; %2 answers to one request (R19)")
                                            .arg(status)
                                            .arg(after.size())};
        }
        if (after.size() == 1) {
            return {ProbeVerdict::Pass, tr("%1, then it read the body as a body and answered only the second request %2 (R19)")
                                            .arg(status)
                                            .arg(after.first().head.status)};
        }
        return {ProbeVerdict::Warn, tr("%1 without Connection: close, then neither answered the second request nor closed (R10)")
                                        .arg(status)};
    };
    return s;
}
} // namespace

QString validateUrl(const QUrl &url)
{
    if (!url.isValid() || url.scheme() != QLatin1String("http") || url.host().isEmpty())
        return tr("'%1' is not an http:// URL with a host").arg(url.toString());
    if (url.port() == 0)
        return tr("'%1' has port 0").arg(url.toString());
    return {};
}

ProbeTarget targetFromUrl(const QUrl &url, int timeoutMs)
{
    ProbeTarget t;
    t.timeoutMs = timeoutMs;
    QByteArray host = url.host(QUrl::FullyEncoded).toLatin1();
    if (host.contains(':'))
        host = '[' + host + ']';
    if (url.port() > 0 && url.port() != 80)
        host += ':' + QByteArray::number(url.port());
    t.host = host;
    QByteArray target = url.path(QUrl::FullyEncoded).toLatin1();
    if (target.isEmpty())
        target = "/";
    if (url.hasQuery())
        target += '?' + url.query(QUrl::FullyEncoded).toLatin1();
    t.target = target;
    return t;
}

QList<ProbeScenario> battery(const ProbeTarget &t)
{
    const QByteArray small = kSmallBody.toByteArray();
    const QStringList r1112{QStringLiteral("R11"), QStringLiteral("R12")};
    return {
        continueScenario(t, QStringLiteral("continue-small"), tr("Expect: 100-continue, 16-byte body"), "100-continue",
                         small, false, r1112, false),
        continueScenario(t, QStringLiteral("continue-large"), tr("Expect: 100-continue, 1 MiB body"), "100-continue",
                         QByteArray(kLargeBody, 'x'), false, r1112, false),
        bodyAtOnce(t),
        unknownExpectation(t),
        continueScenario(t, QStringLiteral("case-variant"), tr("Expect: 100-Continue (other letter case)"),
                         "100-Continue", small, false, {QStringLiteral("R1"), QStringLiteral("R11")}, true),
        http10(t),
        noContent(t),
        earlyFinal(t),
        earlyFinalDesync(t),
        continueScenario(t, QStringLiteral("chunked"), tr("Expect: 100-continue with a chunked body"), "100-continue",
                         small, true, r1112, false),
    };
}

ProbeResult makeResult(const ProbeScenario &scenario, const ProbeObservation &obs, const QList<ProbeResult> &earlier)
{
    ProbeResult r;
    r.id = scenario.id;
    r.title = scenario.title;
    r.rules = scenario.rules;
    r.observation = obs;
    r.timings = computeTimings(obs);
    r.statuses = responseStatuses(obs);
    if (!obs.error.isEmpty() && obs.connectFailed) {
        r.verdict = ProbeVerdict::Fail;
        r.message = obs.error;
    } else {
        const ProbeAssessment a = scenario.assess(obs, earlier);
        r.verdict = a.verdict;
        r.message = a.message;
        if (!obs.error.isEmpty())
            r.message += QStringLiteral(" (%1)").arg(obs.error);
        else if (obs.responses.isEmpty() && obs.peerClosedNs)
            r.message += tr(" (the server closed the connection without a response)");
    }
    return r;
}

} // namespace expectlab::probe
