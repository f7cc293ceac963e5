#include "guiapp.h"

#include "mainwindow.h"
#include "platformsignals.h"

#include <QApplication>
#include <QIcon>
#include <QTimer>

int runGui(int &argc, char **argv)
{
    QApplication app(argc, argv);
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/expectlab.svg")));
    expectlab::MainWindow window;
    // Ctrl+C in the terminal or a SIGTERM closes the window the normal way: running exchanges are
    // cancelled and the preferences and the last request are saved.
    TerminationWatcher termination;
    QObject::connect(&termination, &TerminationWatcher::terminationRequested, &window, &QWidget::close);
    window.show();
    // After show(): the question about a crashed run's exchanges comes over the window.
    QTimer::singleShot(0, &window, &expectlab::MainWindow::offerAutosaveRestore);
    return QApplication::exec();
}
