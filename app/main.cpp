#include "cliutil.h"
#include "commands.h"
#include "platformsocket.h"

#include "guiapp.h"

#include <QCoreApplication>

namespace {
void setIdentity()
{
    QCoreApplication::setOrganizationName(QStringLiteral("ExpectLab"));
    QCoreApplication::setOrganizationDomain(QStringLiteral("expectlab.github.io"));
    QCoreApplication::setApplicationName(QStringLiteral("ExpectLab"));
    QCoreApplication::setApplicationVersion(QStringLiteral(EXPECTLAB_VERSION));
}

// Options Qt's GUI application takes itself: they open the window, they are not ours to refuse.
bool isQtGuiOption(const QString &arg)
{
    static const QStringList qtOptions{QStringLiteral("-platform"),        QStringLiteral("-style"),
                                       QStringLiteral("-geometry"),        QStringLiteral("-reverse"),
                                       QStringLiteral("-qwindowgeometry"), QStringLiteral("-qwindowtitle"),
                                       QStringLiteral("-stylesheet"),      QStringLiteral("-session")};
    return qtOptions.contains(arg);
}
} // namespace

int main(int argc, char **argv)
{
    // Each connection keeps a second descriptor (platform::CloseWatch): room for the server's 512.
    expectlab::platform::raiseOpenFileLimit();
    QStringList args;
    for (int i = 1; i < argc; ++i)
        args << QString::fromLocal8Bit(argv[i]);

    if (args.isEmpty() || isQtGuiOption(args.first())) {
        setIdentity();
        return runGui(argc, argv);
    }

    // The headless commands run on Qt's own event loop rather than GLib's: GLib wakes its loop (an
    // eventfd write, and a read) whenever a socket notifier changes, which every write does; the
    // proxy's and the server's exchanges each pay it several times (bench_proxy). The user's choice wins.
    if (!qEnvironmentVariableIsSet("QT_NO_GLIB"))
        qputenv("QT_NO_GLIB", "1");
    QCoreApplication app(argc, argv);
    setIdentity();
    const QString command = args.takeFirst();
    if (command == QLatin1String("--version") || command == QLatin1String("-v")) {
        printOut(QStringLiteral("expectlab %1\n").arg(QCoreApplication::applicationVersion()));
        return ExitOk;
    }
    if (command == QLatin1String("--help") || command == QLatin1String("-h") || command == QLatin1String("help")) {
        printOut(globalHelpText());
        return ExitOk;
    }
    if (command == QLatin1String("serve"))
        return runServe(args);
    if (command == QLatin1String("send"))
        return runSend(args);
    if (command == QLatin1String("matrix"))
        return runMatrix(args);
    if (command == QLatin1String("probe"))
        return runProbe(args);
    if (command == QLatin1String("proxy"))
        return runProxy(args);
    if (command.startsWith(QLatin1Char('-')))
        return usageError(QCoreApplication::translate("cli", "unknown option '%1'").arg(command),
                          QStringLiteral("Try 'expectlab --help'."));
    return usageError(QCoreApplication::translate("cli", "unknown command '%1'").arg(command),
                      QStringLiteral("Try 'expectlab --help'."));
}
