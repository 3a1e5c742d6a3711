#include "tools/common/cli_args.h"

#include <cstring>

namespace ffnlp {
namespace tools {
namespace {

const OptionSpec* find_option(const std::vector<OptionSpec>& table, const std::string& name) {
  for (const OptionSpec& o : table) {
    if (name == o.name || (o.alias != nullptr && name == o.alias)) return &o;
  }
  return nullptr;
}

}  // namespace

bool parse_args(int argc, char** argv, const std::vector<OptionSpec>& table, std::vector<std::string>* positional,
                std::string* error) {
  for (int i = 1; i < argc; ++i) {
    const char* a = argv[i];
    if (std::strcmp(a, "--") == 0) {
      for (++i; i < argc; ++i) positional->push_back(argv[i]);
      break;
    }
    if (a[0] != '-' || a[1] == '\0') {
      positional->push_back(a);
      continue;
    }
    const char* eq = a[1] == '-' ? std::strchr(a, '=') : nullptr;
    const std::string name = eq ? std::string(a, static_cast<size_t>(eq - a)) : std::string(a);
    const OptionSpec* o = find_option(table, name);
    if (o == nullptr) {
      *error = "unknown option '" + name + "'";
      return false;
    }
    const char* value = nullptr;
    if (o->value != nullptr) {
      if (eq != nullptr) {
        value = eq + 1;
      } else if (i + 1 < argc) {
        value = argv[++i];
      } else {
        *error = name + " needs a value (" + o->value + ")";
        return false;
      }
    } else if (eq != nullptr) {
      *error = name + " takes no value";
      return false;
    }
    if (!o->apply(value, error)) return false;
  }
  return true;
}

std::string format_option_help(const std::vector<OptionSpec>& table) {
  std::string out = "options:\n";
  const size_t column = 20;
  for (const OptionSpec& o : table) {
    std::string head = "  ";
    if (o.alias != nullptr) head += std::string(o.alias) + ", ";
    head += o.name;
    if (o.value != nullptr) head += std::string(" ") + o.value;
    out += head;
    if (head.size() + 1 >= column) {
      out += "\n";
      head.clear();
    }
    out += std::string(column - head.size(), ' ');
    for (const char* p = o.help; *p != '\0'; ++p) {
      out += *p;
      if (*p == '\n') out += std::string(column, ' ');
    }
    out += "\n";
  }
  return out;
}

bool parse_count_u64(const char* option, const char* text, uint64_t min, uint64_t max, uint64_t* out,
                     std::string* error) {
  uint64_t v = 0;
  bool ok = text != nullptr && text[0] != '\0';
  for (const char* p = text; ok && *p != '\0'; ++p) {
    const unsigned d = static_cast<unsigned char>(*p) - '0';
    if (d > 9 || v > (UINT64_MAX - d) / 10) ok = false;
    else v = v * 10 + d;
  }
  if (ok && v >= min && v <= max) {
    *out = v;
    return true;
  }
  *error = std::string(option) + ": expected a whole number from " + std::to_string(min) + " to " +
           std::to_string(max) + ", got '" + (text ? text : "") + "'";
  return false;
}

}  // namespace tools
}  // namespace ffnlp
