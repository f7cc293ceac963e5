#include "probeexchange.h"

#include <QCoreApplication>

namespace expectlab {

namespace {
QString tr(const char *text)
{
    return QCoreApplication::translate("ProbeExchange", text);
}

QString statusLine(const MessageHead &head)
{
    QString text = QStringLiteral("HTTP/%1.%2 %3 %4")
                       .arg(head.versionMajor)
                       .arg(head.versionMinor)
                       .arg(head.status)
                       .arg(displayText(head.reason));
    if (head.hasConnectionToken("close"))
        text += QStringLiteral("; Connection: close");
    return text;
}
} // namespace

ProbeExchange::ProbeExchange(int id, QList<ProbeStep> steps, qint64 nowNs, const QString &connectDetail)
    : m_id(id)
    , m_steps(std::move(steps))
    , m_conn(this, ClientConnection::Rules{.strict = false})
    , m_now(nowNs)
{
    m_obs.startNs = nowNs;
    m_target = connectDetail;
    emitEvent(EventKind::Connect, 0, -1, connectDetail);
}

void ProbeExchange::connected(qint64 nowNs)
{
    m_now = nowNs;
    if (m_finished || m_connected)
        return;
    m_connected = true;
    m_obs.connectedNs = nowNs;
    emitEvent(EventKind::Connected);
    run();
}

void ProbeExchange::streamTlsStarted(qint64 nowNs)
{
    m_now = nowNs;
    if (m_finished)
        return;
    // streamConnected() came first and started the steps; their bytes wait in the pump until the
    // handshake is done (it takes no output before), and a wait they began restarts at tls_done.
    m_handshaking = true;
    m_connected = false;
    emitEvent(EventKind::TlsStart, 0, -1, tr("TLS handshake, offering ALPN http/1.1"));
}

void ProbeExchange::streamTlsDone(qint64 nowNs, const TlsFacts &facts)
{
    m_now = nowNs;
    if (m_finished || !m_handshaking)
        return;
    m_handshaking = false;
    m_connected = true;
    emitEvent(EventKind::TlsDone, 0, -1,
              tr("%1, %2, ALPN %3").arg(facts.protocol, facts.cipher, facts.alpn.isEmpty() ? tr("none") : facts.alpn));
    m_obs.events.last().tls = std::make_shared<const TlsFacts>(facts);
    if (m_awaitDeadlineNs && m_step < m_steps.size())
        m_awaitDeadlineNs = nowNs + qint64(m_steps.at(m_step).waitMs) * 1'000'000;
    run();
}

void ProbeExchange::connectFailed(qint64 nowNs, const QString &message)
{
    m_now = nowNs;
    if (m_finished)
        return;
    m_obs.connectFailed = true;
    m_obs.error = message;
    emitEvent(EventKind::Error, 0, -1, message);
    m_finished = true;
    m_obs.endNs = nowNs;
}

void ProbeExchange::receive(QByteArrayView data, qint64 nowNs)
{
    m_now = nowNs;
    if (m_finished || data.isEmpty())
        return;
    // After a response that closed the connection (responseEnd stopped reading): more bytes are
    // evidence that the server answered something it should not have (R22).
    const qint64 more = m_conn.receive(data, nowNs);
    if (m_finished)
        return; // the response was malformed (responseFailed)
    if (more > 0) {
        if (m_obs.bytesAfterClose == 0)
            emitEvent(EventKind::Error, 0, more, tr("the server sent more after its Connection: close response"),
                      QStringLiteral("R22"));
        m_obs.bytesAfterClose += more;
    }
    run();
}

void ProbeExchange::responseFailed(ErrorKind, const QString &message)
{
    m_obs.error = message;
    emitEvent(EventKind::Error, 0, -1, m_obs.error);
    finish(m_now);
}

void ProbeExchange::peerClosed(qint64 nowNs, bool reset)
{
    m_now = nowNs;
    if (m_finished || m_obs.peerClosedNs)
        return;
    m_obs.peerClosedNs = nowNs;
    m_obs.reset = m_obs.reset || reset;
    // Completes a response whose body runs until the close.
    if (const auto cut = m_conn.peerClosed(); cut && m_obs.error.isEmpty()) {
        m_obs.error = tr("response cut short: %1").arg(*cut);
        emitEvent(EventKind::Error, 0, -1, m_obs.error);
    }
    emitEvent(EventKind::Closed, 0, -1, reset ? tr("server reset the connection") : tr("server closed the connection"));
    m_obs.events.last().closedBy = Closer::Peer;
    m_obs.events.last().reset = reset;
    run();
}

void ProbeExchange::transportError(qint64 nowNs, const QString &message)
{
    m_now = nowNs;
    if (m_finished)
        return;
    // A reset after an early final is evidence, not a probe failure: record it and treat it as a close.
    emitEvent(EventKind::Error, 0, -1, message);
    peerClosed(nowNs, true);
}

void ProbeExchange::streamFailed(qint64 nowNs, const QString &message, ErrorKind)
{
    // Before the connection there is nothing to observe but the failure.
    if (!m_connected)
        connectFailed(nowNs, tr("cannot connect to %1: %2").arg(m_target, message));
    else
        transportError(nowNs, message);
}

void ProbeExchange::advanceTime(qint64 nowNs)
{
    m_now = nowNs;
    if (!m_finished && m_connected)
        run();
}

bool ProbeExchange::stepApplies(const ProbeStep &step) const
{
    const bool haveFinal = !m_obs.finals().isEmpty();
    switch (step.when) {
    case ProbeStep::When::Always: return true;
    case ProbeStep::When::IfNoFinal: return !haveFinal;
    case ProbeStep::When::IfFinal: return haveFinal;
    }
    return true;
}

bool ProbeExchange::awaitSatisfied() const
{
    if (m_obs.peerClosedNs || m_obs.bytesAfterClose > 0)
        return true;
    const ProbeStep &step = m_steps.at(m_step);
    switch (step.until) {
    case ProbeStep::Until::AnyResponse: return m_obs.responses.size() > m_responsesAtAwait;
    case ProbeStep::Until::Final:
        // A response that began during this wait: the rest of an earlier one (an early 413 whose
        // body comes in its own write, as aiohttp sends it) does not end the listening window.
        for (qsizetype i = m_responsesAtAwait; i < m_obs.responses.size(); ++i) {
            const ProbeResponse &r = m_obs.responses.at(i);
            if (!r.interim() && r.completeNs > 0)
                return true;
        }
        return false;
    case ProbeStep::Until::Quiet: return false;
    }
    return false;
}

void ProbeExchange::run()
{
    while (!m_finished && m_step < m_steps.size()) {
        const ProbeStep &step = m_steps.at(m_step);
        if (!m_awaitDeadlineNs && !stepApplies(step)) {
            ++m_step;
            continue;
        }
        switch (step.kind) {
        case ProbeStep::Kind::Send:
            // Nothing goes out after the server closed: what was not sent is part of the evidence.
            if (!m_obs.peerClosedNs) {
                m_obs.sentSteps.append(m_step);
                m_obs.sentStepNs.append(m_now); // made exact when the bytes leave (sent())
                m_obs.sentRequests.append(step.requests);
                // Its time is when its last byte reaches the kernel, as for every event about output.
                const qint64 last = m_conn.sendRaw(
                    step.bytes, step.event == EventKind::BodyStart,
                    TimelineEvent::at(m_now, Side::Client, m_id, step.event, 0, step.bytes.size(), step.label));
                m_stamps.append({last, int(m_obs.sentStepNs.size()) - 1});
            }
            ++m_step;
            break;
        case ProbeStep::Kind::Await:
            if (!m_awaitDeadlineNs) {
                m_awaitDeadlineNs = m_now + qint64(step.waitMs) * 1'000'000;
                m_responsesAtAwait = int(m_obs.responses.size());
            }
            if (awaitSatisfied()) {
                m_awaitDeadlineNs.reset();
                ++m_step;
                break;
            }
            if (m_now < *m_awaitDeadlineNs)
                return;
            m_awaitDeadlineNs.reset();
            if (step.until == ProbeStep::Until::AnyResponse)
                emitEvent(EventKind::ExpectTimeout, 0, -1, tr("no response within %1 ms").arg(step.waitMs),
                          QStringLiteral("R11"));
            else if (step.until == ProbeStep::Until::Final)
                emitEvent(EventKind::ExpectTimeout, 0, -1, tr("no final response within %1 ms").arg(step.waitMs));
            ++m_step;
            break;
        case ProbeStep::Kind::Close: finish(m_now); return;
        }
    }
    if (!m_finished && m_step >= m_steps.size())
        finish(m_now);
}

void ProbeExchange::finish(qint64 nowNs)
{
    if (m_finished)
        return;
    m_finished = true;
    m_awaitDeadlineNs.reset();
    m_obs.endNs = nowNs;
    m_conn.abandon(nowNs);
    if (!m_obs.peerClosedNs)
        emitEvent(EventKind::Closed, 0, -1, tr("probe closed the connection"));
}

HttpParser::HeadAction ProbeExchange::responseHead(const MessageHead &head)
{
    ProbeResponse response;
    response.head = head;
    response.headNs = m_now;
    response.afterStep = m_step;
    response.index = int(m_obs.responses.size());
    response.closeDelimited = !head.isInterim() && head.status != 204 && head.status != 304 && !head.isChunked() &&
                              !head.contentLength() && !head.contentLengthTooLarge();
    m_obs.responses.append(response);
    emitEvent(head.isInterim() ? EventKind::Interim : EventKind::Final, head.status, -1, statusLine(head));
    return HttpParser::HeadAction::Continue;
}

void ProbeExchange::responseData(QByteArrayView data)
{
    if (!m_obs.responses.isEmpty())
        m_obs.responses.last().bodyBytes += data.size();
}

void ProbeExchange::responseEnd()
{
    if (m_obs.responses.isEmpty() || m_obs.responses.last().interim())
        return;
    ProbeResponse &r = m_obs.responses.last();
    r.completeNs = m_now;
    // A response that ends the connection ends what we parse: anything after it is evidence (R22).
    if (!m_conn.keepAlive())
        m_conn.stopReading();
    emitEvent(EventKind::ResponseDone, r.head.status, r.bodyBytes);
}

QByteArray ProbeExchange::takeOutgoing()
{
    // All of it in one write, as the script queued it: a step's segmentation is part of the test.
    QByteArray out;
    while (m_conn.hasOutput())
        out += m_conn.takeOutput();
    return out;
}

void ProbeExchange::sent(qint64 bytes, qint64 nowNs)
{
    m_conn.sent(bytes, nowNs);
    while (!m_stamps.isEmpty() && m_stamps.first().lastOffset < m_conn.bytesSent())
        m_obs.sentStepNs[m_stamps.takeFirst().sentIndex] = nowNs;
}

std::optional<qint64> ProbeExchange::nextDeadlineNs() const
{
    if (m_finished)
        return std::nullopt;
    return m_awaitDeadlineNs;
}

QList<TimelineEvent> ProbeExchange::takeEvents()
{
    const QList<TimelineEvent> fresh = m_obs.events.mid(m_newEvents);
    m_newEvents = m_obs.events.size();
    return fresh;
}

void ProbeExchange::emitEvent(EventKind kind, int status, qint64 bytes, const QString &detail, const QString &rule)
{
    m_obs.events.append(TimelineEvent::at(m_now, Side::Client, m_id, kind, status, bytes, detail, rule));
}

} // namespace expectlab
