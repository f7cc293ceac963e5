#include "workbenchsession.h"

#include "exchangelistmodel.h"
#include "exchangerunner.h"
#include "partythread.h"
#include "serverhost.h"
#include "testserver.h"

#include <QThread>

#include <QTimer>

#include <algorithm>
#include <limits>

namespace expectlab {

WorkbenchSession::WorkbenchSession(QObject *parent)
    : QObject(parent)
    , m_model(new ExchangeListModel(this))
    , m_flushTimer(new QTimer(this))
{
    m_flushTimer->setSingleShot(true);
    m_flushTimer->setInterval(kFlushIntervalMs);
    connect(m_flushTimer, &QTimer::timeout, this, &WorkbenchSession::flush);
    // Results cross from the server's and the client's threads as values.
    qRegisterMetaType<TimelineEvent>();
    qRegisterMetaType<WireLog>();
    qRegisterMetaType<QHostAddress>();
}

WorkbenchSession::~WorkbenchSession()
{
    shutdown();
}

void WorkbenchSession::shutdown()
{
    for (ExchangeRunner *runner : std::as_const(m_runners)) {
        runner->disconnect(this);
        if (runner->thread() != thread()) {
            // Deleted in its own thread, or when that thread finishes; its socket goes with it.
            runner->deleteLater();
        }
    }
    m_runners.clear();
}

void WorkbenchSession::attachServer(ServerHost *server)
{
    if (m_server)
        m_server->disconnect(this);
    m_server = server;
    connect(server, &ServerHost::connectionAccepted, this, &WorkbenchSession::onConnectionAccepted);
    connect(server, &ServerHost::eventRecorded, this, &WorkbenchSession::onServerEvent);
    connect(server, &ServerHost::connectionFinished, this, &WorkbenchSession::onConnectionFinished);
}

void WorkbenchSession::attachServer(TestServer *server)
{
    if (m_server)
        m_server->disconnect(this);
    m_server = server;
    connect(server, &TestServer::connectionAccepted, this, &WorkbenchSession::onConnectionAccepted);
    connect(server, &TestServer::eventRecorded, this, &WorkbenchSession::onServerEvent);
    connect(server, &TestServer::connectionFinished, this, &WorkbenchSession::onConnectionFinished);
}

ClientRequest WorkbenchSession::withLocalTrust(const ClientRequest &request) const
{
    // The workbench's client trusts the workbench's own server; a request's own trust settings win.
    const auto *host = qobject_cast<const ServerHost *>(m_server.data());
    if (!host || request.url.scheme() != QLatin1String("https") || request.tls != ClientTlsSettings())
        return request;
    ClientRequest trusted = request;
    trusted.tls = host->state().clientTrust();
    return trusted;
}

int WorkbenchSession::send(const ClientRequest &request)
{
    const int number = m_nextNumber++;
    ExchangeRecord record;
    record.number = number;
    record.started = QDateTime::currentDateTime();
    record.summary.id = number;
    record.summary.url = request.url;
    record.summary.method = request.effectiveMethod();
    record.expectTimeoutMs = request.expectTimeoutMs;
    m_live.insert(number, record);
    m_toAppend.append(record);

    auto *runner = new ExchangeRunner(number, withLocalTrust(request), m_thread ? nullptr : this);
    if (m_thread)
        runner->moveToThread(m_thread->worker());
    m_runners.insert(number, runner);
    connect(runner, &ExchangeRunner::eventRecorded, this,
            [this, number](const TimelineEvent &e) { onClientEvent(number, e); });
    connect(runner, &ExchangeRunner::progress, this,
            [this, number](qint64 sent, qint64 total) { emit progress(number, sent, total); });
    connect(runner, &ExchangeRunner::concluded, this,
            [this, number](const ExchangeSummary &summary) { onRunnerFinished(number, summary); });
    emit exchangeStarted(number);
    scheduleFlush();
    if (runner->thread() == thread())
        runner->start(); // may finish at once (bad URL): onRunnerFinished copes
    else
        QMetaObject::invokeMethod(runner, &ExchangeRunner::start, Qt::QueuedConnection);
    return number;
}

void WorkbenchSession::cancel(int number)
{
    if (ExchangeRunner *runner = m_runners.value(number))
        QMetaObject::invokeMethod(runner, &ExchangeRunner::cancel, Qt::AutoConnection);
}

void WorkbenchSession::cancelAll()
{
    const QList<ExchangeRunner *> runners = m_runners.values();
    for (ExchangeRunner *runner : runners)
        QMetaObject::invokeMethod(runner, &ExchangeRunner::cancel, Qt::AutoConnection);
}

void WorkbenchSession::clear()
{
    flush();
    m_model->clear();
    // The cleared rows' server connections go with them, so a long session that is cleared now and
    // then does not grow; open ones and those of running exchanges are still being filled.
    for (auto it = m_connections.begin(); it != m_connections.end();) {
        if (it->finished && !m_runners.contains(it->exchangeNumber))
            it = m_connections.erase(it);
        else
            ++it;
    }
}

void WorkbenchSession::loadRows(const QList<ExchangeRecord> &records,
                                const QHash<int, ServerConnectionRecord> &connections)
{
    clear();
    // The list is numbered without gaps (the model finds a row by its number), and a saved session
    // lists its external clients after its own exchanges: put the rows back in time order and
    // number them on from the first, keeping the connections pointing at their rows.
    QList<ExchangeRecord> rows = records;
    std::stable_sort(rows.begin(), rows.end(), [](const ExchangeRecord &a, const ExchangeRecord &b) {
        return a.summary.startNs < b.summary.startNs;
    });
    int first = std::numeric_limits<int>::max();
    for (const ExchangeRecord &r : std::as_const(rows))
        first = std::min(first, r.number);
    // A running exchange keeps its number and updates the row of that number when it ends: loaded
    // rows must not take it.
    if (!m_live.isEmpty())
        first = m_nextNumber;
    QHash<int, int> renumbered; // old -> new
    for (int i = 0; i < rows.size(); ++i) {
        ExchangeRecord &r = rows[i];
        renumbered.insert(r.number, first + i);
        r.number = first + i;
        if (r.summary.id != 0)
            r.summary.id = r.number;
    }
    // The live server numbers its connections 1, 2, ... too: loaded ones get ids it never uses
    // (negative), so that a new connection does not land in a loaded record.
    QList<int> ids = connections.keys();
    std::sort(ids.begin(), ids.end());
    QHash<int, int> reids; // old -> new
    for (int id : std::as_const(ids))
        reids.insert(id, m_nextLoadedConnectionId--);
    for (auto it = connections.cbegin(); it != connections.cend(); ++it) {
        ServerConnectionRecord c = it.value();
        c.savedId = it.key();
        c.id = reids.value(it.key());
        c.exchangeNumber = renumbered.value(c.exchangeNumber, 0);
        for (TimelineEvent &e : c.events)
            e.conn = c.id;
        m_connections.insert(c.id, c);
    }
    for (ExchangeRecord &r : rows) {
        for (int &id : r.serverConnections)
            id = reids.value(id, id);
    }
    for (ExchangeRecord &r : rows)
        r.clientBehaviour = clientBehaviourOf(r);
    if (!rows.isEmpty())
        m_nextNumber = std::max(m_nextNumber, rows.constLast().number + 1);
    m_model->appendRecords(rows);
    QList<int> numbers;
    numbers.reserve(rows.size());
    for (const ExchangeRecord &r : std::as_const(rows))
        numbers.append(r.number);
    emit exchangesChanged(numbers);
}

QString WorkbenchSession::clientBehaviourOf(const ExchangeRecord &record) const
{
    const ClientProfile *profile = nullptr;
    for (int id : record.serverConnections) {
        if (const ServerConnectionRecord *c = serverConnection(id)) {
            if (const ClientProfile *p = lastProfile(c->events))
                profile = p;
        }
    }
    return profile ? profile->behaviourText() : QString();
}

void WorkbenchSession::noteProfile(int number)
{
    if (ExchangeRecord *r = liveRecord(number)) {
        r->clientBehaviour = clientBehaviourOf(*r);
    } else if (const ExchangeRecord *listed = m_model->recordByNumber(number)) {
        ExchangeRecord copy = *listed;
        copy.clientBehaviour = clientBehaviourOf(copy);
        m_model->updateRecords({copy});
    }
}

ExchangeRecord *WorkbenchSession::liveRecord(int number)
{
    auto it = m_live.find(number);
    return it == m_live.end() ? nullptr : &it.value();
}

void WorkbenchSession::onClientEvent(int number, const TimelineEvent &event)
{
    // The live copy grows from the events themselves: the runner may be on another thread, so its
    // summary is read only once it has finished.
    if (ExchangeRecord *r = liveRecord(number); r && r->running) {
        if (r->summary.startNs == 0)
            r->summary.startNs = event.tNs;
        r->summary.events.append(event);
    }
    if (event.kind == EventKind::Connected && event.endpoints) {
        // The client's local end is what our server sees as its peer.
        {
            const QString key = endpointKey(event.endpoints->localAddress, event.endpoints->localPort);
            if (const int conn = m_unclaimedServerByPeer.take(key)) {
                claim(number, conn);
            } else if (claimProxyForClient(number, key)) {
                // Through the local proxy: its client side saw this end first.
            } else {
                m_clientByLocal.insert(key, number);
                m_clientEndpointOrder.append(key);
                if (m_clientEndpointOrder.size() > kPendingEndpoints)
                    m_clientByLocal.remove(m_clientEndpointOrder.takeFirst());
            }
        }
    }
    markDirty(number);
}

void WorkbenchSession::onRunnerFinished(int number, const ExchangeSummary &summary)
{
    ExchangeRunner *runner = m_runners.take(number);
    if (!runner)
        return;
    if (ExchangeRecord *r = liveRecord(number)) {
        r->summary = summary; // a value from the client's thread: nothing is read across threads
        r->running = false;
        r->outcome = classifyOutcome(r->summary, false);
    }
    runner->disconnect(this);
    runner->deleteLater();
    markDirty(number);
    // A finished exchange shows at once; only in-flight noise is batched.
    flush();
    emit exchangeFinished(number);
}

void WorkbenchSession::onConnectionAccepted(int conn, const QHostAddress &peer, quint16 peerPort)
{
    ServerConnectionRecord &c = m_connections[conn];
    c.id = conn;
    c.peerAddress = peer.toString();
    c.peerPort = peerPort;
    const QString key = endpointKey(peer, peerPort);
    if (const int number = m_clientByLocal.take(key)) {
        m_clientEndpointOrder.removeOne(key);
        claim(number, conn);
    } else {
        m_unclaimedServerByPeer.insert(key, conn);
    }
}

void WorkbenchSession::claim(int number, int conn)
{
    auto it = m_connections.find(conn);
    if (it == m_connections.end())
        return;
    if (it->exchangeNumber && it->exchangeNumber != number)
        dropExternalRow(it->exchangeNumber);
    it->exchangeNumber = number;
    if (ExchangeRecord *r = liveRecord(number)) {
        if (!r->serverConnections.contains(conn))
            r->serverConnections.append(conn);
    } else if (const ExchangeRecord *listed = m_model->recordByNumber(number)) {
        // The exchange already ended (a cancel raced the accept): attach to the listed row.
        ExchangeRecord copy = *listed;
        copy.serverConnections.append(conn);
        m_model->updateRecords({copy});
    }
    markDirty(number);
}

void WorkbenchSession::onServerEvent(const TimelineEvent &event)
{
    ServerConnectionRecord &c = m_connections[event.conn];
    c.id = event.conn;
    c.addEvent(event);
    if (!c.exchangeNumber && event.kind == EventKind::Head && event.side == Side::Server)
        startExternalRow(c);
    if (c.exchangeNumber)
        markDirty(c.exchangeNumber);
    for (const TimelineEvent &profile : m_profiler.consume(event)) {
        ServerConnectionRecord &pc = m_connections[profile.conn];
        pc.id = profile.conn;
        pc.addEvent(profile);
        if (const int number = pc.exchangeNumber) {
            noteProfile(number);
            markDirty(number);
        }
    }
}

void WorkbenchSession::onConnectionFinished(int conn, const WireLog &wire)
{
    ServerConnectionRecord &c = m_connections[conn];
    c.id = conn;
    c.wire = wire;
    c.finished = true;
    if (ExchangeRecord *r = liveRecord(c.exchangeNumber); r && r->origin == ExchangeRecord::Origin::ExternalClient) {
        // An outside client's row that was live since its head: it ends with its connection.
        m_unclaimedServerByPeer.remove(endpointKey(QHostAddress(c.peerAddress), c.peerPort));
        refreshExternalRow(*r, c);
        r->running = false;
        r->outcome = classifyOutcome(r->summary, false);
        --m_liveExternal;
        markDirty(r->number);
        const int number = r->number;
        flush();
        emit externalClientFinished(number);
        return;
    }
    if (c.exchangeNumber) {
        markDirty(c.exchangeNumber);
        scheduleFlush();
        return;
    }
    // Nobody of ours claimed it, and it sent no head (or only garbage): an external client that is
    // listed only now, with what it did.
    m_unclaimedServerByPeer.remove(endpointKey(QHostAddress(c.peerAddress), c.peerPort));
    ExchangeRecord record = externalClientRecord(c);
    record.number = m_nextNumber++;
    record.started = QDateTime::currentDateTime().addMSecs(-record.summary.durationNs() / 1'000'000);
    record.outcome = classifyOutcome(record.summary, false);
    record.clientBehaviour = clientBehaviourOf(record);
    c.exchangeNumber = record.number;
    m_toAppend.append(record);
    scheduleFlush();
}

void WorkbenchSession::startExternalRow(ServerConnectionRecord &c)
{
    // Nobody of ours claimed the connection by the time its head arrived: our own client reports
    // its connect before it writes the head, so this is an outside client (curl, a browser, a
    // probe). Its row is listed now and grows with the server's events, so that a client waiting
    // for a 100 is seen waiting (issue 14), not only once its connection ends.
    ExchangeRecord record;
    record.origin = ExchangeRecord::Origin::ExternalClient;
    record.number = m_nextNumber++;
    const qint64 sinceFirstNs = c.events.isEmpty() ? 0 : c.events.constLast().tNs - c.events.constFirst().tNs;
    record.started = QDateTime::currentDateTime().addMSecs(-sinceFirstNs / 1'000'000);
    refreshExternalRow(record, c);
    c.exchangeNumber = record.number;
    m_live.insert(record.number, record);
    m_toAppend.append(record);
    ++m_liveExternal;
    emit externalClientStarted(record.number);
}

void WorkbenchSession::refreshExternalRow(ExchangeRecord &record, const ServerConnectionRecord &c) const
{
    ExchangeRecord fresh = externalClientRecord(c);
    fresh.number = record.number;
    fresh.started = record.started;
    fresh.running = record.running;
    fresh.outcome = record.running ? Outcome::Running : record.outcome;
    fresh.clientBehaviour = clientBehaviourOf(fresh);
    record = std::move(fresh);
}

void WorkbenchSession::dropExternalRow(int number)
{
    // Our own client's connect came after the server's head after all: its row is not an outside
    // client's. Unlisted yet (the usual case, within one flush), it is taken back; listed, it stays.
    const auto live = m_live.constFind(number);
    if (live == m_live.cend() || live->origin != ExchangeRecord::Origin::ExternalClient)
        return;
    const auto pending = std::find_if(m_toAppend.begin(), m_toAppend.end(),
                                      [number](const ExchangeRecord &r) { return r.number == number; });
    if (pending == m_toAppend.end())
        return;
    m_toAppend.erase(pending);
    if (live->running)
        --m_liveExternal;
    m_live.erase(live);
    m_dirty.remove(number);
    emit externalClientFinished(number);
}

void WorkbenchSession::markDirty(int number)
{
    m_dirty.insert(number);
    scheduleFlush();
}

void WorkbenchSession::scheduleFlush()
{
    if (!m_flushTimer->isActive())
        m_flushTimer->start();
}

void WorkbenchSession::flush()
{
    m_flushTimer->stop();
    if (!m_toAppend.isEmpty()) {
        // Live copies are refreshed below; the appended ones are their starting state.
        m_model->appendRecords(std::exchange(m_toAppend, {}));
    }
    if (m_dirty.isEmpty())
        return;
    QList<int> numbers(m_dirty.cbegin(), m_dirty.cend());
    m_dirty.clear();
    std::sort(numbers.begin(), numbers.end());
    QList<ExchangeRecord> changed;
    for (int number : numbers) {
        auto it = m_live.find(number);
        if (it == m_live.end())
            continue;
        // A running outside client's row is rebuilt from its connection once per flush, not once
        // per event: a keep-alive connection can carry thousands of them.
        if (it->origin == ExchangeRecord::Origin::ExternalClient && it->running && !it->serverConnections.isEmpty()) {
            if (const ServerConnectionRecord *c = serverConnection(it->serverConnections.constFirst()))
                refreshExternalRow(*it, *c);
        }
        changed.append(*it);
        if (!it->running)
            m_live.erase(it);
    }
    m_model->updateRecords(changed);
    emit exchangesChanged(numbers);
}

std::optional<std::pair<int, qint64>> WorkbenchSession::exchangeOfConnection(int conn) const
{
    const ServerConnectionRecord *c = serverConnection(conn);
    if (!c || !c->exchangeNumber)
        return std::nullopt;
    const auto live = m_live.constFind(c->exchangeNumber);
    const ExchangeRecord *r = live != m_live.cend() ? &live.value() : m_model->recordByNumber(c->exchangeNumber);
    if (!r || r->summary.startNs == 0)
        return std::nullopt;
    return std::make_pair(r->number, r->summary.startNs);
}

const ServerConnectionRecord *WorkbenchSession::serverConnection(int id) const
{
    auto it = m_connections.constFind(id);
    return it == m_connections.cend() ? nullptr : &it.value();
}

QList<TimelineEvent> WorkbenchSession::serverEvents(const ExchangeRecord &record) const
{
    QList<TimelineEvent> events;
    for (int conn : record.serverConnections) {
        if (const ServerConnectionRecord *c = serverConnection(conn))
            events += c->events;
    }
    std::stable_sort(events.begin(), events.end(),
                     [](const TimelineEvent &a, const TimelineEvent &b) { return a.tNs < b.tNs; });
    return events;
}

} // namespace expectlab
