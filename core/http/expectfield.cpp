#include "expectfield.h"

namespace expectlab {

bool isContinueExpectation(QByteArrayView value)
{
    return value.trimmed().compare("100-continue", Qt::CaseInsensitive) == 0;
}

ExpectField readExpect(const MessageHead &request)
{
    ExpectField field;
    for (const auto &[name, value] : request.headers) {
        if (name.compare("Expect", Qt::CaseInsensitive) != 0)
            continue;
        field.present = true;
        // Split at commas outside quoted strings (an expectation may carry a quoted parameter).
        QByteArray member;
        bool quoted = false;
        auto flush = [&] {
            const QByteArray m = member.trimmed();
            member.clear();
            if (m.isEmpty())
                return;
            if (isContinueExpectation(m))
                ++field.continues;
            else
                field.others.append(m);
        };
        for (qsizetype i = 0; i < value.size(); ++i) {
            const char c = value[i];
            if (c == '"')
                quoted = !quoted;
            else if (c == '\\' && quoted && i + 1 < value.size())
                member += value[i++];
            if (c == ',' && !quoted)
                flush();
            else
                member += value[i];
        }
        flush();
    }
    return field;
}

} // namespace expectlab
