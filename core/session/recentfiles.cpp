#include "recentfiles.h"

#include <QFileInfo>
#include <QSettings>

namespace expectlab {

namespace {
const char kKey[] = "files/recent";

void store(const QStringList &paths)
{
    QSettings().setValue(QLatin1String(kKey), paths);
}
} // namespace

QStringList RecentFiles::list()
{
    return QSettings().value(QLatin1String(kKey)).toStringList();
}

void RecentFiles::add(const QString &path)
{
    const QString absolute = QFileInfo(path).absoluteFilePath();
    QStringList paths = list();
    paths.removeAll(absolute);
    paths.prepend(absolute);
    store(paths.mid(0, kMax));
}

void RecentFiles::remove(const QString &path)
{
    QStringList paths = list();
    paths.removeAll(QFileInfo(path).absoluteFilePath());
    store(paths);
}

void RecentFiles::clear()
{
    store({});
}

} // namespace expectlab
