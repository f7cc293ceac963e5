#pragma once

#include "tlssettings.h"

#include <QByteArray>

#include <optional>

namespace testsupport {

// A server identity our generator made in memory, for the suites and benchmarks that run our TLS
// server in-process (issue 15); certPem is what a client trusts (curl --cacert, QSslSocket).
struct TestIdentity
{
    expectlab::ServerTlsIdentity identity;
    QByteArray certPem;
};

std::optional<TestIdentity> makeTestIdentity();

} // namespace testsupport
