#include "probebattery_assess.h"

#include <algorithm>

namespace expectlab::probe::detail {

namespace {
QString ms(qint64 ns)
{
    return QString::number(double(ns) / 1e6, 'f', 1) + QStringLiteral(" ms");
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

// The handshake cannot be asked about: the server speaks HTTP/1.0 (no 100 exists for it, R15) or
// refuses the method at this URL. Then neither pass nor fail is true (case 15).
std::optional<ProbeAssessment> untestable(const ProbeObservation &obs)
{
    const ProbeResponse *first = obs.responses.isEmpty() ? nullptr : &obs.responses.first();
    if (!first)
        return std::nullopt;
    if (first->head.isHttp10()) {
        return ProbeAssessment{ProbeVerdict::Inconclusive,
                               tr("the server answers in HTTP/1.0 (%1): it cannot send 100 Continue, so the handshake "
                                  "could not be tested (R15)")
                                   .arg(first->head.status)};
    }
    const int status = first->head.status;
    if (!first->interim() && (status == 404 || status == 405 || status == 501)) {
        return ProbeAssessment{
            ProbeVerdict::Inconclusive,
            tr("the server refuses POST at this URL (%1): the handshake could not be tested; probe a "
               "URL that accepts uploads")
                .arg(status)};
    }
    return std::nullopt;
}

// The final responses after `first`, in order: the answers to what followed the early answer.
QList<ProbeResponse> finalsAfter(const ProbeObservation &obs, const ProbeResponse &first)
{
    QList<ProbeResponse> out;
    for (const ProbeResponse &r : obs.responses) {
        if (r.index > first.index && !r.interim())
            out.append(r);
    }
    return out;
}

// The answer says the connection ends after it: Connection: close, HTTP/1.0 without keep-alive, or
// no length at all (its body runs until the close, as Varnish 7.1 sends its 417).
bool closeAnnounced(const ProbeResponse &r)
{
    const MessageHead &head = r.head;
    return head.hasConnectionToken("close") || (head.isHttp10() && !head.hasConnectionToken("keep-alive")) ||
           r.closeDelimited;
}

// How the answer announced its close, as the evidence shows it.
QString closeWords(const ProbeResponse &r)
{
    if (r.head.hasConnectionToken("close"))
        return tr("said Connection: close");
    if (r.head.isHttp10() && !r.head.hasConnectionToken("keep-alive"))
        return tr("was HTTP/1.0 without keep-alive");
    return tr("had no length, so it ends with the close");
}

// The requests the probe sent from step `fromStep` on, as the server may read them, in order.
QStringList requestsFrom(const ProbeObservation &obs, int fromStep)
{
    QStringList out;
    for (qsizetype i = 0; i < obs.sentSteps.size(); ++i) {
        if (obs.sentSteps.at(i) >= fromStep)
            out += obs.sentRequests.value(i);
    }
    return out;
}

// Answers matched to requests in order. With `bodyIsBody`, the first request (the unread body that
// looks like one) is not a request, and the answers belong to the rest.
QString answersText(const QList<ProbeResponse> &answers, QStringList requests, bool bodyIsBody)
{
    if (bodyIsBody && !requests.isEmpty())
        requests.removeFirst();
    QStringList parts;
    for (qsizetype i = 0; i < answers.size(); ++i) {
        parts << tr("%1 to %2")
                     .arg(answers.at(i).head.status)
                     .arg(i < requests.size() ? requests.at(i) : tr("no request of ours"));
    }
    return parts.join(tr(" and "));
}

QString finalsText(const ProbeObservation &obs)
{
    QStringList s;
    for (const ProbeResponse &r : obs.responses)
        s << QString::number(r.head.status);
    return s.isEmpty() ? tr("no response") : s.join(QStringLiteral(", "));
}
} // namespace

// continue-small, continue-large, case-variant, chunked: head, wait, body, final.
ProbeAssessment assessContinue(const ProbeObservation &obs, bool caseVariant, const QList<ProbeResult> &earlier)
{
    if (const auto inconclusive = untestable(obs))
        return *inconclusive;
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
            return {
                ProbeVerdict::Warn,
                tr("417 after %1 to the one defined expectation; clients must retry without it (R6)").arg(ms(wait))};
        }
        if (late)
            return {
                ProbeVerdict::Warn,
                tr("final %1 only after %2: clients will have sent the body (R11)").arg(r->head.status).arg(ms(wait))};
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

ProbeAssessment assessBodyAtOnce(const ProbeObservation &obs, const QList<ProbeResult> &)
{
    if (const auto inconclusive = untestable(obs))
        return *inconclusive;
    const QList<ProbeResponse> finals = obs.finals();
    if (finals.isEmpty())
        return {ProbeVerdict::Fail, tr("no final status although the body came with the head (R4)")};
    const qint64 wait = finals.first().headNs - obs.stepSentNs(0).value_or(obs.startNs);
    const bool interim = !obs.interims().isEmpty();
    const QString how = interim ? tr("a 100 first (R8 allows omitting it)") : tr("no 100 (R8)");
    if (finals.first().head.status == 417)
        return {ProbeVerdict::Warn, tr("417 after %1 although the body was already sent (R4)").arg(ms(wait))};
    return {ProbeVerdict::Pass, tr("final %1 after %2, %3").arg(finals.first().head.status).arg(ms(wait)).arg(how)};
}

ProbeAssessment assessUnknownExpectation(const ProbeObservation &obs, const QList<ProbeResult> &)
{
    if (const auto inconclusive = untestable(obs); inconclusive && obs.finals().value(0).head.status != 417)
        return *inconclusive;
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
}

ProbeAssessment assessHttp10(const ProbeObservation &obs, const QList<ProbeResult> &)
{
    const QList<ProbeResponse> interims = obs.interims();
    if (!interims.isEmpty())
        return {ProbeVerdict::Fail, tr("sent %1 to an HTTP/1.0 request (R15, R7)").arg(interims.first().head.status)};
    const QList<ProbeResponse> finals = obs.finals();
    if (finals.isEmpty())
        return {ProbeVerdict::Warn, tr("no 1xx, but no final status either")};
    return {ProbeVerdict::Pass, tr("no 1xx; final %1 (R7)").arg(finals.first().head.status)};
}

ProbeAssessment assessNoContent(const ProbeObservation &obs, const QList<ProbeResult> &)
{
    const QList<ProbeResponse> finals = obs.finals();
    if (finals.isEmpty())
        return {ProbeVerdict::Fail, tr("stalled: no final status for a request without content (R8)")};
    const qint64 wait = finals.first().headNs - obs.stepSentNs(0).value_or(obs.startNs);
    return {ProbeVerdict::Pass, tr("final %1 after %2%3")
                                    .arg(finals.first().head.status)
                                    .arg(ms(wait))
                                    .arg(obs.interims().isEmpty() ? QString() : tr(" (a 100 first)"))};
}

ProbeAssessment assessEarlyFinal(const ProbeObservation &obs, const QList<ProbeResult> &)
{
    const ProbeResponse *first = obs.firstResponseFrom(0);
    if (!first || first->interim()) {
        return {ProbeVerdict::Info,
                tr("no early final status (%1): nothing to check; the announced %2 bytes were not sent")
                    .arg(first ? QString::number(first->head.status) : tr("no response"))
                    .arg(kHugeBody)};
    }
    const int status = first->head.status;
    const bool closes = closeAnnounced(*first);
    const QList<ProbeResponse> after = finalsAfter(obs, *first);
    const QStringList behind = requestsFrom(obs, first->afterStep + 1);
    const QString behindName = behind.value(0, tr("the request behind the body"));
    if (closes && (obs.bytesAfterClose > 0 || !after.isEmpty()))
        return {ProbeVerdict::Fail, tr("%1 %2, yet %3 more bytes followed: %4, which was only the unread body, was "
                                       "answered (R22)")
                                        .arg(status)
                                        .arg(closeWords(*first))
                                        .arg(obs.bytesAfterClose)
                                        .arg(behindName)};
    if (!after.isEmpty()) {
        return {ProbeVerdict::Fail, tr("desync: after %1 the unread body was read as a request: %2 (R19)")
                                        .arg(status)
                                        .arg(answersText(after, behind, false))};
    }
    const QString closedText =
        obs.peerClosedNs ? tr("; it closed %1 after the answer").arg(ms(*obs.peerClosedNs - first->headNs)) : QString();
    if (!closes && first->head.hasConnectionToken("keep-alive")) {
        return {ProbeVerdict::Pass, tr("%1 before the body with Connection: keep-alive: it reads on, and %2 behind "
                                       "the body was not taken for a request (R10, R19)%3")
                                        .arg(status)
                                        .arg(behindName)
                                        .arg(closedText)};
    }
    if (!closes) {
        return {ProbeVerdict::Warn, tr("%1 before the body without Connection: close: the client cannot tell "
                                       "whether the server reads on (R10)%2")
                                        .arg(status)
                                        .arg(closedText)};
    }
    if (!obs.peerClosedNs) {
        // nginx keeps reading for its lingering_timeout before it closes: not a fault as long
        // as nothing behind the final status is answered.
        return {ProbeVerdict::Pass, tr("%1 %2; %3 behind it was not answered; still open after %4 ms (lingering "
                                       "close) (R10, R19)")
                                        .arg(status)
                                        .arg(closeWords(*first))
                                        .arg(behindName)
                                        .arg(kPromptMs)};
    }
    return {ProbeVerdict::Pass, tr("%1 %2, closed %3 after it, nothing more answered (R10, R19)")
                                    .arg(status)
                                    .arg(closeWords(*first))
                                    .arg(ms(*obs.peerClosedNs - first->headNs))};
}

ProbeAssessment assessEarlyFinalDesync(const ProbeObservation &obs, const QList<ProbeResult> &)
{
    constexpr int bodyStep = 2;
    const ProbeResponse *first = obs.firstResponseFrom(0);
    const bool early = first && !first->interim() && first->afterStep < bodyStep;
    if (!early) {
        return {ProbeVerdict::Info,
                tr("no early final status (responses: %1): the body was read as a body; nothing to check")
                    .arg(finalsText(obs))};
    }
    const int status = first->head.status;
    const QList<ProbeResponse> after = finalsAfter(obs, *first);
    // Answers come in the order of the requests the server read: with the body read as a body there
    // is one request after the 417 (the second); taken for a request, the body is one more.
    const QStringList behind = requestsFrom(obs, bodyStep);
    const QString last = behind.value(behind.size() - 1, tr("the second request"));
    if (closeAnnounced(*first)) {
        if (!after.isEmpty() || obs.bytesAfterClose > 0)
            return {ProbeVerdict::Fail,
                    tr("%1 %2, yet a request behind it was answered (R22)").arg(status).arg(closeWords(*first))};
        return {ProbeVerdict::Pass,
                tr("%1 %2; nothing behind it was answered (R10, R22)").arg(status).arg(closeWords(*first))};
    }
    if (after.size() >= behind.size() && after.size() >= 2) {
        return {ProbeVerdict::Fail, tr("desync: after %1 the unread body was read as a request: %2 (R19)")
                                        .arg(status)
                                        .arg(answersText(after, behind, false))};
    }
    if (after.size() == 1) {
        if (obs.peerClosedNs) {
            return {ProbeVerdict::Pass, tr("%1, then it read the body as a body: one answer, %2, and the close that "
                                           "request asked for (R19)")
                                            .arg(status)
                                            .arg(answersText(after, behind, true))};
        }
        return {ProbeVerdict::Fail, tr("%1, then one answer (%2) and no close although %3 asked for one: the body "
                                       "was read as a request (desync, R19) or Connection: close was ignored (R22)")
                                        .arg(status)
                                        .arg(after.first().head.status)
                                        .arg(last)};
    }
    if (obs.peerClosedNs) {
        return {ProbeVerdict::Warn, tr("%1 without Connection: close, then it closed %2 after it without answering "
                                       "what followed (R10: a server that will close says so)")
                                        .arg(status)
                                        .arg(ms(*obs.peerClosedNs - first->headNs))};
    }
    return {ProbeVerdict::Warn,
            tr("%1 without Connection: close, then neither answered %2 nor closed (R10)").arg(status).arg(last)};
}

std::optional<ProbeAssessment> assessUnanswered(const ProbeObservation &obs)
{
    if (!obs.responses.isEmpty())
        return std::nullopt;
    if (!obs.error.isEmpty())
        return ProbeAssessment{ProbeVerdict::Fail, tr("no valid answer: %1").arg(obs.error)};
    if (obs.peerClosedNs) {
        return ProbeAssessment{ProbeVerdict::Fail, obs.reset
                                                       ? tr("the server reset the connection without an answer")
                                                       : tr("the server closed the connection without an answer")};
    }
    return ProbeAssessment{ProbeVerdict::Fail,
                           tr("no answer at all within the scenario's %1 (R11)").arg(ms(obs.endNs - obs.startNs))};
}

} // namespace expectlab::probe::detail
