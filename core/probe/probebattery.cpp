#include "probebattery.h"

#include "streamfactory.h"

#include "probebattery_assess.h"

namespace expectlab::probe {

using namespace detail;

namespace {
using Step = ProbeStep;
using When = ProbeStep::When;
using Until = ProbeStep::Until;

constexpr QByteArrayView kSmallBody = "expectlab-probe!"; // 16 bytes

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

// What most scenarios send: a POST that announces `length` body bytes and asks for `expect`.
QByteArray expectHead(const ProbeTarget &t, int minor, qint64 length, const QByteArray &expect)
{
    return requestHead(t, "POST", minor, {{"Content-Length", QByteArray::number(length)}, {"Expect", expect}});
}

// The handshake a well-behaved client plays: the head alone, up to `listenMs` for a 100 or an early
// final status, the body only if no final came, then the final. assessContinue counts on this
// layout (head step 0, body step 2).
QList<ProbeStep> handshakeSteps(const ProbeTarget &t, const QByteArray &head, int listenMs, const QByteArray &body,
                                const QString &bodyLabel)
{
    return {Step::send(head, EventKind::HeadSent, headLabel(head)), Step::await(Until::AnyResponse, listenMs),
            Step::send(body, EventKind::BodyStart, bodyLabel, When::IfNoFinal),
            Step::await(Until::Final, t.timeoutMs, When::IfNoFinal), Step::close()};
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
    const QString bodyLabel = tr("body: %1 bytes%2").arg(body.size()).arg(chunked ? tr(", chunked") : QString());
    return {.id = id,
            .title = title,
            .rules = rules,
            .steps = handshakeSteps(t, head, t.timeoutMs, wireBody, bodyLabel),
            .assess = [caseVariant](const ProbeObservation &obs, const QList<ProbeResult> &earlier) {
                return assessContinue(obs, caseVariant, earlier);
            }};
}

ProbeScenario bodyAtOnce(const ProbeTarget &t)
{
    const QByteArray head = expectHead(t, 1, kSmallBody.size(), "100-continue");
    return {.id = QStringLiteral("body-at-once"),
            .title = tr("Expect: 100-continue with the body sent at once"),
            .rules = {QStringLiteral("R4"), QStringLiteral("R8")},
            .steps = {Step::send(head + kSmallBody.toByteArray(), EventKind::HeadSent,
                                 headLabel(head) + tr(" + body: %1 bytes").arg(kSmallBody.size())),
                      Step::await(Until::Final, t.timeoutMs), Step::close()},
            .assess = assessBodyAtOnce};
}

ProbeScenario unknownExpectation(const ProbeTarget &t)
{
    const QByteArray head = expectHead(t, 1, kSmallBody.size(), "x-unknown");
    return {.id = QStringLiteral("unknown-expectation"),
            .title = tr("Unknown expectation Expect: x-unknown"),
            .rules = {QStringLiteral("R1")},
            .steps = handshakeSteps(t, head, t.timeoutMs, kSmallBody.toByteArray(),
                                    tr("body: %1 bytes").arg(kSmallBody.size())),
            .assess = assessUnknownExpectation};
}

ProbeScenario http10(const ProbeTarget &t)
{
    const QByteArray head = expectHead(t, 0, kSmallBody.size(), "100-continue");
    return {.id = QStringLiteral("http10-expect"),
            .title = tr("HTTP/1.0 request with Expect: 100-continue"),
            .rules = {QStringLiteral("R7"), QStringLiteral("R15")},
            .steps = handshakeSteps(t, head, qMin(t.timeoutMs, kHttp10ListenMs), kSmallBody.toByteArray(),
                                    tr("body: %1 bytes").arg(kSmallBody.size())),
            .assess = assessHttp10};
}

ProbeScenario noContent(const ProbeTarget &t)
{
    const QByteArray head = expectHead(t, 1, 0, "100-continue");
    return {.id = QStringLiteral("no-content"),
            .title = tr("Expect: 100-continue without content"),
            .rules = {QStringLiteral("R2"), QStringLiteral("R8")},
            .steps = {Step::send(head, EventKind::HeadSent, headLabel(head)), Step::await(Until::Final, t.timeoutMs),
                      Step::close()},
            .assess = assessNoContent};
}

ProbeScenario earlyFinal(const ProbeTarget &t)
{
    const QByteArray head = expectHead(t, 1, kHugeBody, "100-continue");
    // What a desynchronised server would read as the next request if it took the unread body for one.
    ProbeTarget desync = t;
    desync.target = "/expectlab-desync";
    const QByteArray behind = requestHead(desync, "GET", 1, {});
    return {.id = QStringLiteral("early-final"),
            .title = tr("Early final status, then a request right behind the unread body"),
            .rules = {QStringLiteral("R11"), QStringLiteral("R10"), QStringLiteral("R19"), QStringLiteral("R22")},
            .steps = {Step::send(head, EventKind::HeadSent, headLabel(head), When::Always,
                                 {QStringLiteral("POST %1").arg(QString::fromLatin1(t.target))}),
                      Step::await(Until::AnyResponse, t.timeoutMs), Step::close(When::IfNoFinal),
                      Step::send(behind, EventKind::BodyStart,
                                 tr("a request right behind the unread body: GET /expectlab-desync"), When::IfFinal,
                                 {QStringLiteral("GET /expectlab-desync")}),
                      // The whole window: what a desynchronised server answers comes now, or never.
                      Step::await(Until::Quiet, qMin(t.timeoutMs, kPromptMs)), Step::close()},
            .assess = assessEarlyFinal};
}

// The desync check proper: a small body that is itself a complete request, and a second request
// right behind it that asks to close. An unknown expectation is the most portable way to get an
// early final status (Apache, Node.js, Go and ExpectLab answer 417 before reading the body). A
// server that reads the body as a body answers once (the second request) and closes; one that takes
// the body for a request answers twice.
ProbeScenario earlyFinalDesync(const ProbeTarget &t)
{
    ProbeTarget smuggled = t;
    smuggled.target = "/expectlab-desync";
    const QByteArray body = requestHead(smuggled, "GET", 1, {});
    ProbeTarget second = t;
    second.target = "/expectlab-second";
    const QByteArray behind = requestHead(second, "GET", 1, {{"Connection", "close"}});
    const QByteArray head = expectHead(t, 1, body.size(), "x-unknown");
    return {
        .id = QStringLiteral("early-final-desync"),
        .title = tr("Body that looks like a request, then a second request, after an early 417"),
        .rules = {QStringLiteral("R19"), QStringLiteral("R10"), QStringLiteral("R22")},
        .steps = {Step::send(head, EventKind::HeadSent, headLabel(head), When::Always,
                             {QStringLiteral("POST %1").arg(QString::fromLatin1(t.target))}),
                  Step::await(Until::AnyResponse, t.timeoutMs),
                  Step::send(body + behind, EventKind::BodyStart,
                             tr("body: GET /expectlab-desync (%1 bytes), then GET /expectlab-second").arg(body.size()),
                             When::Always,
                             {QStringLiteral("GET /expectlab-desync"), QStringLiteral("GET /expectlab-second")}),
                  // Listen the whole window (or until the close the second request asked for).
                  Step::await(Until::Quiet, t.timeoutMs), Step::close()},
        .assess = assessEarlyFinalDesync};
}
} // namespace

QString validateUrl(const QUrl &url)
{
    if (!url.isValid() || !isSupportedScheme(url) || url.host().isEmpty())
        return tr("'%1' is not an http:// or https:// URL with a host").arg(url.toString());
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
    // RFC 9110 7.2: the port is left out where it is the scheme's default.
    if (url.port() > 0 && url.port() != portOf(url.adjusted(QUrl::RemovePort)))
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
    } else if (const auto unanswered = assessUnanswered(obs)) {
        // Silence, garbage or a reset is no valid answer, whatever the scenario asked (case 15).
        r.verdict = unanswered->verdict;
        r.message = unanswered->message;
    } else {
        const ProbeAssessment a = scenario.assess(obs, earlier);
        r.verdict = a.verdict;
        r.message = a.message;
        if (!obs.error.isEmpty())
            r.message += QStringLiteral(" (%1)").arg(obs.error);
    }
    return r;
}

} // namespace expectlab::probe
