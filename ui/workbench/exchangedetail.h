#pragma once

#include "exchangerecord.h"
#include "timelinelayout.h"

#include <QWidget>

class QPlainTextEdit;
class QTabWidget;
class QTreeWidget;

namespace expectlab {

class TimelineView;
class WorkbenchSession;

// Everything about the selected exchange: the two-lane timeline, the bytes on the wire both ways,
// the request / interim / final headers, and the event log of both sides.
class ExchangeDetail : public QWidget
{
    Q_OBJECT
public:
    explicit ExchangeDetail(WorkbenchSession *session, QWidget *parent = nullptr);

    void showExchange(const ExchangeRecord *record);
    int shownNumber() const { return m_number; }
    TimelineView *timeline() const { return m_timeline; }
    QTabWidget *tabs() const { return m_tabs; }
    QString wireText() const;
    QString eventsText() const;

private:
    void fillHeaders(const ExchangeRecord &record);
    static QList<TimelineLayout::Track> proxiedTracks(const ExchangeRecord &record, const QList<TimelineEvent> &client,
                                                      const QList<TimelineEvent> &server);

    WorkbenchSession *m_session;
    QTabWidget *m_tabs;
    TimelineView *m_timeline;
    QPlainTextEdit *m_wire;
    QTreeWidget *m_headers;
    QPlainTextEdit *m_events;
    int m_number = 0;
};

} // namespace expectlab
