#include "exchangedetail.h"

#include "peerseen.h"

#include "exchangereport.h"
#include "monotonicclock.h"
#include "timelinelayout.h"
#include "timelineview.h"
#include "workbenchsession.h"

#include <QFontDatabase>
#include <QHeaderView>
#include <QPlainTextEdit>
#include <QScrollBar>
#include <QTabWidget>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace expectlab {

namespace {
QPlainTextEdit *monoView(QWidget *parent, const QString &name)
{
    auto *view = new QPlainTextEdit(parent);
    view->setObjectName(name);
    view->setReadOnly(true);
    view->setLineWrapMode(QPlainTextEdit::NoWrap);
    view->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    return view;
}

// Keeps the reader's place when the text of the same exchange is refreshed.
void setTextKeepingScroll(QPlainTextEdit *view, const QString &text, bool sameExchange)
{
    if (view->toPlainText() == text)
        return;
    const int position = view->verticalScrollBar()->value();
    view->setPlainText(text);
    if (sameExchange)
        view->verticalScrollBar()->setValue(position);
}
} // namespace

ExchangeDetail::ExchangeDetail(WorkbenchSession *session, QWidget *parent)
    : QWidget(parent)
    , m_session(session)
    , m_tabs(new QTabWidget(this))
    , m_timeline(new TimelineView(this))
    , m_wire(monoView(this, QStringLiteral("wireView")))
    , m_headers(new QTreeWidget(this))
    , m_events(monoView(this, QStringLiteral("eventsView")))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_tabs);
    m_tabs->setObjectName(QStringLiteral("detailTabs"));
    m_tabs->setDocumentMode(true);
    m_tabs->addTab(m_timeline, tr("Timeline"));
    m_tabs->addTab(m_wire, tr("Wire"));
    m_tabs->addTab(m_headers, tr("Headers"));
    m_tabs->addTab(m_events, tr("Events"));
    m_headers->setObjectName(QStringLiteral("headersView"));
    m_headers->setColumnCount(2);
    m_headers->setHeaderLabels({tr("Field"), tr("Value")});
    m_headers->header()->resizeSection(0, 260);
    m_headers->setAlternatingRowColors(true);
    m_headers->setUniformRowHeights(true);
}

void ExchangeDetail::showExchange(const ExchangeRecord *record)
{
    if (!record) {
        m_number = 0;
        m_timeline->clear();
        m_wire->clear();
        m_headers->clear();
        m_events->clear();
        return;
    }
    const bool same = record->number == m_number;
    m_number = record->number;
    const QList<TimelineEvent> server = m_session->serverEvents(*record);
    const QList<TimelineEvent> client = record->isExternal() ? QList<TimelineEvent>() : record->summary.events;
    // A running exchange's timeline reaches to now, so that a wait for a 100 grows while it happens.
    std::optional<TimelineLayout::Live> live;
    if (record->running)
        live = TimelineLayout::Live{monotonicNowNs(), record->isExternal() ? 0 : record->expectTimeoutMs};
    const std::optional<qint64> startNs =
        record->summary.startNs ? std::optional<qint64>(record->summary.startNs) : std::nullopt;
    const TimelineLayout layout =
        record->viaProxy() ? TimelineLayout::buildTracks(proxiedTracks(*record, client, server), startNs, live)
                           : TimelineLayout::build(client, server, startNs, live);
    m_timeline->setLayout(layout, record->number);
    const qint64 origin = layout.originNs;

    QString wire;
    if (!record->isExternal()) {
        for (qsizetype i = 0; i < record->summary.wireLogs.size(); ++i) {
            // Over TLS these are the bytes inside the encryption, never the records on the wire.
            wire += record->summary.tls
                        ? tr("━━ client, attempt %1, decrypted from %2 (>> sent, << received; ms since the first "
                             "event)\n")
                              .arg(i + 1)
                              .arg(record->summary.tls->protocol)
                        : tr("━━ client, attempt %1 (>> sent, << received; ms since the first event)\n").arg(i + 1);
            wire += record->summary.wireLogs.at(i).toText(origin);
            wire += QLatin1Char('\n');
        }
    }
    for (int conn : record->serverConnections) {
        const ServerConnectionRecord *c = m_session->serverConnection(conn);
        if (!c)
            continue;
        // A loaded connection's id in the workbench is internal: name it as its file does.
        const QString which =
            c->savedId ? tr("connection %1 of the opened file").arg(c->savedId) : tr("connection %1").arg(conn);
        wire += tr("━━ server, %1 from %2:%3 (>> sent, << received)\n").arg(which, c->peerAddress).arg(c->peerPort);
        wire += c->finished ? c->wire.toText(origin)
                            : tr("(the connection is still open: its bytes show when it closes)\n");
        wire += QLatin1Char('\n');
    }
    if (wire.isEmpty())
        wire = tr("No bytes yet.");
    setTextKeepingScroll(m_wire, wire, same);

    QString events;
    QList<TimelineEvent> all = client + server + record->proxyEvents;
    std::stable_sort(all.begin(), all.end(),
                     [](const TimelineEvent &a, const TimelineEvent &b) { return a.tNs < b.tNs; });
    for (const TimelineEvent &e : std::as_const(all))
        events += eventToTextLine(e, origin) + QLatin1Char('\n');
    if (!record->running)
        events += QStringLiteral("-- %1\n").arg(record->summary.outcomeText());
    setTextKeepingScroll(m_events, events, same);
    fillHeaders(*record);
}

QList<TimelineLayout::Track> ExchangeDetail::proxiedTracks(const ExchangeRecord &record,
                                                           const QList<TimelineEvent> &client,
                                                           const QList<TimelineEvent> &server)
{
    // client | proxy | server (issue 16). A peer that is not ours shows what the proxy saw of it.
    const QString mode = record.proxyMode.isEmpty() ? tr("proxy") : tr("proxy (%1)").arg(record.proxyMode);
    return {
        client.isEmpty() ? TimelineLayout::Track{tr("client, as the proxy saw it"),
                                                 peerAsSeenByProxy(record.proxyEvents, Hop::Downstream)}
                         : TimelineLayout::Track{tr("client"), client},
        TimelineLayout::Track{mode, record.proxyEvents},
        server.isEmpty() ? TimelineLayout::Track{tr("upstream, as the proxy saw it"),
                                                 peerAsSeenByProxy(record.proxyEvents, Hop::Upstream)}
                         : TimelineLayout::Track{tr("server"), server},
    };
}

void ExchangeDetail::fillHeaders(const ExchangeRecord &r)
{
    m_headers->clear();
    const ExchangeSummary &s = r.summary;
    auto section = [this](const QString &title) {
        auto *item = new QTreeWidgetItem(m_headers, {title});
        QFont bold = item->font(0);
        bold.setBold(true);
        item->setFont(0, bold);
        item->setFirstColumnSpanned(true);
        item->setExpanded(true);
        return item;
    };
    auto fields = [](QTreeWidgetItem *parent, const HttpHeaders &headers) {
        for (const auto &[name, value] : headers)
            new QTreeWidgetItem(parent, {QString::fromLatin1(name), QString::fromLatin1(value)});
    };
    QTreeWidgetItem *request =
        section(tr("Request: %1 %2 %3")
                    .arg(QString::fromLatin1(s.method), s.url.toString(QUrl::RemoveScheme | QUrl::RemoveAuthority),
                         r.isExternal() ? tr("(as the server received it)") : tr("(first attempt)")));
    fields(request, s.requestHeaders);
    for (qsizetype i = 0; i < s.interimHeads.size(); ++i) {
        const MessageHead &h = s.interimHeads.at(i);
        QTreeWidgetItem *interim =
            section(tr("Interim response %1: %2 %3").arg(i + 1).arg(h.status).arg(QString::fromLatin1(h.reason)));
        if (h.headers.isEmpty())
            new QTreeWidgetItem(interim, {tr("(no header fields)")});
        fields(interim, h.headers);
    }
    // The 417 that caused the retry (R6) belongs to the earlier attempt: the model keeps its head.
    for (qsizetype i = 0; i < s.earlierAttempts.size(); ++i) {
        const AttemptSummary &a = s.earlierAttempts.at(i);
        if (!a.finalStatus)
            continue;
        fields(section(tr("Final response of attempt %1: %2 %3")
                           .arg(i + 1)
                           .arg(a.finalHead.status)
                           .arg(QString::fromLatin1(a.finalHead.reason))),
               a.finalHead.headers);
    }
    if (r.isExternal()) {
        for (int status : s.interimStatuses())
            section(tr("Interim response sent: %1").arg(status));
    }
    if (s.finalStatus && !r.isExternal()) {
        QTreeWidgetItem *finalItem = section(tr("Final response: %1 %2%3")
                                                 .arg(*s.finalStatus)
                                                 .arg(QString::fromLatin1(s.finalHead.reason),
                                                      s.retried ? tr(" (after the retry without Expect)") : QString()));
        fields(finalItem, s.finalHead.headers);
        if (!s.responseBodyPreview.isEmpty())
            new QTreeWidgetItem(finalItem, {tr("(body, %1 bytes)").arg(s.responseBodyBytes),
                                            QString::fromUtf8(s.responseBodyPreview.left(300))});
    } else if (s.finalStatus) {
        section(tr("Final response sent: %1").arg(*s.finalStatus));
    } else if (!r.running) {
        section(tr("No final response: %1").arg(s.error));
    }
}

QString ExchangeDetail::wireText() const
{
    return m_wire->toPlainText();
}

QString ExchangeDetail::eventsText() const
{
    return m_events->toPlainText();
}

} // namespace expectlab
