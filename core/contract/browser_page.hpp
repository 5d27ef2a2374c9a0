#pragma once
// The browser client's page (core/contract/browser_page.html, embedded at build time): served by our
// servers at GET /browser and by `pushbench browser`'s collector for foreign servers.
#include <string_view>

namespace pushbench {

/// The page's HTML (with its script); see the comment at its top for its protocol.
std::string_view browser_page_html();

}  // namespace pushbench
