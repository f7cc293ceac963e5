// The Probe and Matrix tabs as part of the session: saved with it, restored with it, and counted as
// work that New, Open and Quit must not lose (issue 14).
#include "mainwindow.h"

#include "autosave.h"
#include "exchangelistmodel.h"
#include "matrixwidget.h"
#include "probewidget.h"
#include "session.h"
#include "workbenchsession.h"

#include <QLabel>

namespace expectlab {

void MainWindow::connectToolTabs()
{
    connect(m_probe, &ProbeWidget::runFinished, this, [this] {
        setUnsavedChanges(true);
        if (m_autosave)
            m_autosave->markChanged();
    });
    connect(m_matrix, &MatrixWidget::finished, this, [this] {
        setUnsavedChanges(true);
        if (m_autosave)
            m_autosave->markChanged();
    });
}

void MainWindow::restoreToolsOf(const Session &session)
{
    // A session file holds the whole sitting: tabs it has no results for are cleared, not left
    // showing another session's. A tab still running keeps its run, and says why.
    const bool probeShown = m_probe->showReport(session.probe.value_or(ProbeReport{}));
    const bool matrixShown = m_matrix->showResult(session.matrix.value_or(MatrixResult{}));
    if (!probeShown || !matrixShown)
        m_statusOutcome->setText(tr("A probe or matrix run is still going: its tab keeps that run, not the file's"));
}

void MainWindow::clearToolTabs()
{
    m_probe->showReport(ProbeReport{});
    m_matrix->showResult(MatrixResult{});
}

bool MainWindow::hasWork() const
{
    return m_session->model()->rowCount() > 0 || m_probe->reportToKeep() || m_matrix->resultToKeep();
}

} // namespace expectlab
