// Compiles Boost.Asio and Boost.Beast once for the whole project (separate-compilation mode).
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
