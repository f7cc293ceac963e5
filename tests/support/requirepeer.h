#pragma once

// A peer the test needs is missing: a developer's machine may lack it (skip, saying how to get it),
// but CI installs every peer (tools/deps.sh), so there (CI set, as every CI service sets it) a
// missing one fails the test instead of passing silently.

#include <QTest>

#define EXPECTLAB_REQUIRE_PEER(found, what)                                                                            \
    do {                                                                                                               \
        if (!(found)) {                                                                                                \
            if (qEnvironmentVariableIsSet("CI"))                                                                       \
                QFAIL(qPrintable(QStringLiteral("%1 is missing on CI (tools/deps.sh installs it)").arg(what)));        \
            QSKIP(qPrintable(QStringLiteral("%1 is not installed (tools/deps.sh installs it)").arg(what)));            \
        }                                                                                                              \
    } while (false)
