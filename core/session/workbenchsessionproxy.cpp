// The workbench session's side of the recording proxy (issue 16): which row each of the proxy's
// events belongs to. Our client's exchange through the proxy is matched by its local end, which the
// proxy's client side accepted; an outside client's exchange gets a row of its own at its head; the
// upstream hop follows its exchange id; and our server's connection from the proxy joins the same row,
// matched by the proxy's upstream end as our own client's is by its local end.
#include "exchangelistmodel.h"
#include "proxyhost.h"
#include "workbenchsession.h"

namespace expectlab {

void WorkbenchSession::attachProxy(ProxyHost *proxy)
{
    if (m_proxy)
        m_proxy->disconnect(this);
    m_proxy = proxy;
    connect(proxy, &ProxyHost::eventRecorded, this, &WorkbenchSession::onProxyEvent);
    connect(proxy, &ProxyHost::connectionFinished, this, &WorkbenchSession::onProxyConnectionFinished);
}

void WorkbenchSession::attachProxy(ProxyServer *proxy)
{
    if (m_proxy)
        m_proxy->disconnect(this);
    m_proxy = proxy;
    connect(proxy, &ProxyServer::eventRecorded, this, &WorkbenchSession::onProxyEvent);
    connect(proxy, &ProxyServer::connectionFinished, this, &WorkbenchSession::onProxyConnectionFinished);
}

QString WorkbenchSession::proxyModeNow() const
{
    if (const auto *host = qobject_cast<const ProxyHost *>(m_proxy.data()))
        return proxyModeName(host->config().mode);
    if (const auto *proxy = qobject_cast<const ProxyServer *>(m_proxy.data()))
        return proxyModeName(proxy->config().mode);
    return {};
}

bool WorkbenchSession::claimProxyForClient(int number, const QString &clientEnd)
{
    const int downstream = m_unclaimedProxyByPeer.take(clientEnd);
    if (!downstream)
        return false;
    ProxyDownstream &d = m_proxyDown[downstream];
    d.ourRow = number;
    for (const TimelineEvent &e : std::exchange(d.early, {}))
        addProxyEvent(number, e);
    return true;
}

void WorkbenchSession::onProxyEvent(const TimelineEvent &event)
{
    if (event.hop == Hop::Downstream) {
        ProxyDownstream &d = m_proxyDown[event.conn];
        if (event.kind == EventKind::Accepted && event.endpoints) {
            const QString clientEnd = endpointKey(event.endpoints->peerAddress, event.endpoints->peerPort);
            if (const int number = m_clientByLocal.take(clientEnd)) {
                m_clientEndpointOrder.removeOne(clientEnd);
                d.ourRow = number;
            } else {
                m_unclaimedProxyByPeer.insert(clientEnd, event.conn);
            }
        }
        int number = d.ourRow;
        if (!number && event.kind == EventKind::Head && event.exchange) {
            // Nobody of ours connected from there: an outside client's exchange begins.
            number = startProxiedRow(event, event.conn);
        } else if (!number && event.exchange) {
            number = m_rowOfProxyExchange.value(event.exchange);
        } else if (!number && !d.rows.isEmpty()) {
            number = d.rows.constLast(); // its close, after the last exchange
        }
        if (d.ourRow && event.exchange)
            m_rowOfProxyExchange.insert(event.exchange, d.ourRow);
        if (!number) {
            d.early.append(event); // until a row claims the connection
            return;
        }
        addProxyEvent(number, event);
        if (event.kind == EventKind::Closed) {
            for (int row : std::as_const(d.rows))
                endProxiedRow(row);
            m_unclaimedProxyByPeer.remove(m_unclaimedProxyByPeer.key(event.conn));
            m_proxyDown.remove(event.conn);
        }
        return;
    }
    // The upstream hop and the relay's decisions: by exchange, else by the upstream connection.
    int number = event.exchange ? m_rowOfProxyExchange.value(event.exchange) : 0;
    if (!number && event.hop == Hop::Upstream)
        number = m_rowOfUpstream.value(event.conn);
    if (!number)
        return;
    if (event.hop == Hop::Upstream && event.kind != EventKind::Decision)
        m_rowOfUpstream.insert(event.conn, number);
    addProxyEvent(number, event);
    if (event.hop == Hop::Upstream && event.kind == EventKind::Connected && event.endpoints)
        matchUpstreamToServer(number, event);
    if (event.hop == Hop::Upstream && event.kind == EventKind::Closed)
        m_rowOfUpstream.remove(event.conn);
}

void WorkbenchSession::matchUpstreamToServer(int number, const TimelineEvent &connected)
{
    // The proxy's end of its upstream connection is what our server sees as its peer.
    const QString key = endpointKey(connected.endpoints->localAddress, connected.endpoints->localPort);
    if (const int conn = m_unclaimedServerByPeer.take(key)) {
        claim(number, conn);
        return;
    }
    m_clientByLocal.insert(key, number);
    m_clientEndpointOrder.append(key);
    if (m_clientEndpointOrder.size() > kPendingEndpoints)
        m_clientByLocal.remove(m_clientEndpointOrder.takeFirst());
}

void WorkbenchSession::addProxyEvent(int number, const TimelineEvent &event)
{
    if (ExchangeRecord *r = liveRecord(number)) {
        if (r->proxyEvents.size() < ServerConnectionRecord::kMaxEvents || event.kind == EventKind::Closed)
            r->proxyEvents.append(event);
        if (r->proxyMode.isEmpty())
            r->proxyMode = proxyModeNow();
        if (r->origin == ExchangeRecord::Origin::ProxiedClient) {
            ExchangeRecord fresh = proxiedClientRecord(r->proxyEvents);
            r->summary = fresh.summary;
            r->userAgent = fresh.userAgent;
        }
        markDirty(number);
        return;
    }
    // A row that already ended (our client finished before the proxy's last events came).
    if (const ExchangeRecord *listed = m_model->recordByNumber(number)) {
        ExchangeRecord copy = *listed;
        copy.proxyEvents.append(event);
        m_model->updateRecords({copy});
        emit exchangesChanged({number});
    }
}

int WorkbenchSession::startProxiedRow(const TimelineEvent &head, int downstream)
{
    ProxyDownstream &d = m_proxyDown[downstream];
    // A keep-alive client's next exchange: the one before it is over.
    if (!d.rows.isEmpty())
        endProxiedRow(d.rows.constLast());
    QList<TimelineEvent> events = std::exchange(d.early, {});
    ExchangeRecord record = proxiedClientRecord(events);
    record.number = m_nextNumber++;
    record.started = QDateTime::currentDateTime();
    record.running = true;
    record.outcome = Outcome::Running;
    record.proxyMode = proxyModeNow();
    d.rows.append(record.number);
    m_rowOfProxyExchange.insert(head.exchange, record.number);
    m_live.insert(record.number, record);
    m_toAppend.append(record);
    ++m_liveExternal;
    emit externalClientStarted(record.number);
    return record.number;
}

void WorkbenchSession::endProxiedRow(int number)
{
    ExchangeRecord *r = liveRecord(number);
    if (!r || !r->running)
        return;
    r->running = false;
    r->outcome = classifyOutcome(r->summary, false);
    --m_liveExternal;
    markDirty(number);
    flush();
    emit externalClientFinished(number);
}

void WorkbenchSession::onProxyConnectionFinished(const ProxyConnectionLog &log)
{
    m_proxyLogs.append({log.hop, log.id, log.peerAddress.toString(), log.peerPort, log.wire});
    if (m_proxyLogs.size() > kMaxProxyConnections)
        m_proxyLogs.removeFirst();
}

} // namespace expectlab
