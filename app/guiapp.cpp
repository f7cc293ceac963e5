#include "guiapp.h"

#include "mainwindow.h"

#include <QApplication>
#include <QIcon>

int runGui(int &argc, char **argv)
{
    QApplication app(argc, argv);
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/expectlab.svg")));
    expectlab::MainWindow window;
    window.show();
    return QApplication::exec();
}
