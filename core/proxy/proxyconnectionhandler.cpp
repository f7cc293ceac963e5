#include "proxyconnectionhandler.h"

#include "bytestream.h"
#include "monotonicclock.h"
#include "platformmemory.h"
#include "pump.h"
#include "streamfactory.h"
#include "tcpstream.h"

#include <QTcpSocket>

namespace expectlab {

namespace {
ByteStream *acceptedStream(QTcpSocket *socket)
{
    return new TcpStream(socket);
}
} // namespace

ProxyConnectionHandler::ProxyConnectionHandler(int id, const ProxyConfig &config, ProxyIds *ids, QTcpSocket *socket,
                                               QObject *parent)
    : QObject(parent)
    , m_config(config)
    , m_peer{socket->localAddress(), socket->localPort(), socket->peerAddress(), socket->peerPort()}
    , m_relay(id, config, ids, monotonicNowNs(), m_peer)
    , m_down(new Pump(acceptedStream(socket), &m_relay.downstream(), this))
{
    m_relay.setWake([this](Hop hop) { wake(hop, true); });
    m_down->setAfterTurn([this] { runWakes(); });
    platform::keepLargeBuffersInHeap(); // body slices cross between the hops in large, short-lived buffers
    connect(m_down, &Pump::eventRecorded, this, &ProxyConnectionHandler::eventRecorded);
    // Queued: the pump is still on the stack when it says it is finished.
    connect(m_down, &Pump::finished, this, &ProxyConnectionHandler::onDownstreamFinished, Qt::QueuedConnection);
}

ProxyConnectionHandler::~ProxyConnectionHandler()
{
    // The pumps refer to the relay: they go first.
    delete m_up;
    delete m_down;
}

void ProxyConnectionHandler::start()
{
    m_down->start();
}

void ProxyConnectionHandler::wake(Hop hop, bool fromTurn)
{
    // Never from inside the other side's turn. The relay asks from inside a party call, which a pump
    // makes within its turn: the turn's end runs it (runWakes), with no event-loop pass between.
    // Anything else runs it one pass later.
    (hop == Hop::Downstream ? m_wakeDown : m_wakeUp) = true;
    if (!fromTurn && !m_wakePosted) {
        m_wakePosted = true;
        QMetaObject::invokeMethod(
            this,
            [this] {
                m_wakePosted = false;
                runWakes();
            },
            Qt::QueuedConnection);
    }
}

void ProxyConnectionHandler::runWakes()
{
    // One side's turn can give the other work and back: a few rounds at once, the rest later.
    if (m_runningWakes)
        return;
    m_runningWakes = true;
    for (int round = 0; round < 8 && (m_wakeDown || m_wakeUp); ++round) {
        if (std::exchange(m_wakeUp, false))
            turn(Hop::Upstream);
        if (std::exchange(m_wakeDown, false))
            turn(Hop::Downstream);
    }
    m_runningWakes = false;
    if (m_wakeUp)
        wake(Hop::Upstream, false); // the rest one event-loop pass later
    if (m_wakeDown)
        wake(Hop::Downstream, false);
}

void ProxyConnectionHandler::turn(Hop hop)
{
    if (hop == Hop::Downstream) {
        if (!m_downDone)
            m_down->pump();
        return;
    }
    if (m_up)
        m_up->pump();
    else if (m_relay.wantsUpstreamConnection())
        openUpstream();
}

void ProxyConnectionHandler::openUpstream()
{
    const QUrl origin = m_relay.upstreamOrigin();
    const qint64 now = monotonicNowNs();
    m_relay.upstreamConnecting(now);
    QString error;
    ByteStream *stream = makeClientStream(origin, m_config.upstreamTls, &error);
    if (!stream) { // the trust settings cannot be used: the request fails as a connect would
        m_relay.upstream().streamFailed(now, error, ErrorKind::InvalidRequest);
        m_relay.upstream().streamClosed(now);
        for (const TimelineEvent &e : m_relay.upstream().takeEvents())
            emit eventRecorded(e);
        wake(Hop::Downstream, false);
        return;
    }
    m_up = new Pump(stream, &m_relay.upstream(), this);
    m_up->setAfterTurn([this] { runWakes(); });
    connect(m_up, &Pump::eventRecorded, this, &ProxyConnectionHandler::eventRecorded);
    connect(m_up, &Pump::finished, this, &ProxyConnectionHandler::onUpstreamFinished, Qt::QueuedConnection);
    stream->connectTo(origin.host(), quint16(origin.port()));
    m_up->start();
}

void ProxyConnectionHandler::onUpstreamFinished()
{
    delete std::exchange(m_up, nullptr);
    const UpstreamHop &hop = m_relay.hop();
    emit connectionFinished(
        {Hop::Upstream, hop.connectionId(), hop.endpoints().peerAddress, hop.endpoints().peerPort, hop.wireLog()});
    if (!m_downDone && m_relay.wantsUpstreamConnection())
        openUpstream(); // the next request goes elsewhere, or the last connection could not be reused
    onDownstreamFinished();
}

void ProxyConnectionHandler::onDownstreamFinished()
{
    m_downDone = m_down->isDone();
    if (!m_downDone || m_finished)
        return;
    if (m_up) {
        m_up->pump(); // the relay gave the upstream request up: let its pump close
        return;
    }
    m_finished = true;
    const ServerConnection &server = m_relay.server();
    emit connectionFinished({Hop::Downstream, server.id(), m_peer.peerAddress, m_peer.peerPort, server.wireLog()});
    emit finished();
}

} // namespace expectlab
