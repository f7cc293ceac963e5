// The recording proxy in the window (issue 16): its dock beside the Server panel, and the composer's
// "through the local proxy", which sends the composed request to the proxy, aimed at the request's
// own server, and starts the proxy first when it is not running.
#include "mainwindow.h"

#include "composerpanel.h"
#include "proxyhost.h"
#include "proxymessages.h"
#include "proxypanel.h"
#include "serverhost.h"
#include "workbenchsession.h"

#include <QDockWidget>
#include <QLabel>
#include <QScrollArea>
#include <QScrollBar>

namespace expectlab {

QDockWidget *MainWindow::buildProxyDock(QDockWidget *besides)
{
    m_session->attachProxy(m_proxy);
    m_proxyPanel = new ProxyPanel(m_proxy, this);
    m_proxyPanel->setObjectName(QStringLiteral("proxyPanel"));
    m_proxyPanel->setMinimumWidth(320);
    auto *area = new QScrollArea(this);
    area->setWidget(m_proxyPanel);
    area->setWidgetResizable(true);
    area->setFrameShape(QFrame::NoFrame);
    area->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    area->setMinimumWidth(m_proxyPanel->minimumWidth() + area->verticalScrollBar()->sizeHint().width() + 4);
    auto *dock = new QDockWidget(tr("Proxy"), this);
    dock->setObjectName(QStringLiteral("proxyDock"));
    dock->setWidget(area);
    dock->setFeatures(besides->features());
    addDockWidget(Qt::RightDockWidgetArea, dock);
    // A tab beside the Server panel: the laptop screen has no room for both at once.
    tabifyDockWidget(besides, dock);
    besides->raise();
    m_statusProxy = new QLabel(this);
    m_statusProxy->setObjectName(QStringLiteral("statusProxy"));
    connect(m_proxyPanel, &ProxyPanel::proxyStateChanged, this, &MainWindow::onProxyStateChanged);
    return dock;
}

void MainWindow::aimProxyAtServer()
{
    if (m_server->isListening())
        m_proxyPanel->setDefaultUpstream(QUrl(m_server->url()), m_server->state().clientTrust());
}

int MainWindow::sendThroughProxy(const ClientRequest &request)
{
    // The proxy forwards to the request's own server; the local server's certificate is trusted as
    // the composer's client trusts it.
    const QUrl origin = originOf(request.url);
    const bool local = m_server->isListening() && originOf(QUrl(m_server->url())) == origin;
    m_proxyPanel->useUpstream(origin, local ? m_server->state().clientTrust() : request.tls);
    if (!m_proxy->isListening()) {
        m_pendingProxied = request;
        m_statusOutcome->setText(tr("Starting the proxy…"));
        // The proxy starts for this request: its panel comes to the front, where its state shows.
        if (auto *dock = findChild<QDockWidget *>(QStringLiteral("proxyDock")))
            dock->raise();
        if (!m_proxyPanel->start())
            m_pendingProxied.reset();
        return 0;
    }
    ClientRequest viaProxy = request;
    QUrl url(m_proxy->url());
    url.setPath(request.url.path().isEmpty() ? QStringLiteral("/") : request.url.path());
    url.setQuery(request.url.query());
    viaProxy.url = url;
    viaProxy.tls = ClientTlsSettings(); // the proxy listens on plain HTTP; its upstream hop has the TLS
    return m_session->send(viaProxy);
}

void MainWindow::onProxyStateChanged(const QString &message)
{
    // A start, a stop or a failure is news; a connection coming or going is only counted (an
    // exchange's outcome in the status bar stays).
    const bool listening = m_proxy->isListening();
    if (listening != m_proxyWasListening || !m_proxyPanel->errorText().isEmpty())
        m_statusOutcome->setText(message);
    m_proxyWasListening = listening;
    m_statusProxy->setText(m_proxy->isListening() ? tr("Proxy %1").arg(m_proxy->url()) : QString());
    // A request waits for the proxy to listen; a change of its settings meanwhile is no answer.
    if (!m_pendingProxied || (!m_proxy->isListening() && m_proxyPanel->errorText().isEmpty()))
        return;
    const ClientRequest request = *std::exchange(m_pendingProxied, std::nullopt);
    if (m_proxy->isListening())
        sendThroughProxy(request);
    else
        m_composer->showError(tr("The proxy did not start: %1").arg(m_proxyPanel->errorText()));
}

} // namespace expectlab
