#pragma once

#include <QStringList>

namespace expectlab {

// The session files last opened or saved, newest first, kept in QSettings ("files/recent") so that
// File > Open Recent survives a restart. Paths are stored absolute; at most kMax are kept.
class RecentFiles
{
public:
    static constexpr int kMax = 8;
    static QStringList list();
    static void add(const QString &path);
    static void remove(const QString &path);
    static void clear();
};

} // namespace expectlab
