#include "tools/bench/textset.h"

#include <cstdio>
#include <fstream>

namespace bench {
namespace {

size_t code_points(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// A few dozen sentences in several scripts, for a fresh checkout without data/.
const char* const kSample[][2] = {
    {"en", "The quick brown fox jumps over the lazy dog."},
    {"en", "Please enter your password to continue."},
    {"en", "All human beings are born free and equal in dignity and rights."},
    {"de", "Der schnelle braune Fuchs springt über den faulen Hund."},
    {"de", "Bitte geben Sie Ihr Passwort ein, um fortzufahren."},
    {"de", "Alle Menschen sind frei und gleich an Würde und Rechten geboren."},
    {"fr", "Le renard brun rapide saute par-dessus le chien paresseux."},
    {"fr", "Veuillez saisir votre mot de passe pour continuer."},
    {"fr", "Tous les êtres humains naissent libres et égaux en dignité et en droits."},
    {"es", "El veloz zorro marrón salta sobre el perro perezoso."},
    {"es", "Todos los seres humanos nacen libres e iguales en dignidad y derechos."},
    {"it", "Tutti gli esseri umani nascono liberi ed eguali in dignità e diritti."},
    {"pt", "Todos os seres humanos nascem livres e iguais em dignidade e em direitos."},
    {"nl", "Alle mensen worden vrij en gelijk in waardigheid en rechten geboren."},
    {"pl", "Wszyscy ludzie rodzą się wolni i równi pod względem swej godności i swych praw."},
    {"cs", "Všichni lidé rodí se svobodní a sobě rovní co do důstojnosti a práv."},
    {"tr", "Bütün insanlar hür, haysiyet ve haklar bakımından eşit doğarlar."},
    {"fi", "Kaikki ihmiset syntyvät vapaina ja tasavertaisina arvoltaan ja oikeuksiltaan."},
    {"sv", "Alla människor är födda fria och lika i värde och rättigheter."},
    {"vi", "Tất cả mọi người sinh ra đều được tự do và bình đẳng về nhân phẩm và quyền."},
    {"ru", "Все люди рождаются свободными и равными в своем достоинстве и правах."},
    {"ru", "Быстрая коричневая лиса прыгает через ленивую собаку."},
    {"uk", "Всі люди народжуються вільними і рівними у своїй гідності та правах."},
    {"bg", "Всички хора се раждат свободни и равни по достойнство и права."},
    {"el", "Όλοι οι άνθρωποι γεννιούνται ελεύθεροι και ίσοι στην αξιοπρέπεια και τα δικαιώματα."},
    {"hy", "Բոլոր մարդիկ ծնվում են ազատ ու հավասար իրենց արժանապատվությամբ ու իրավունքներով։"},
    {"ka", "ყველა ადამიანი იბადება თავისუფალი და თანასწორი თავისი ღირსებითა და უფლებებით."},
    {"he", "כל בני אדם נולדו בני חורין ושווים בערכם ובזכויותיהם."},
    {"ar", "يولد جميع الناس أحرارًا متساوين في الكرامة والحقوق."},
    {"fa", "تمام افراد بشر آزاد به دنیا می‌آیند و از لحاظ حیثیت و حقوق با هم برابرند."},
    {"hi", "सभी मनुष्यों को गौरव और अधिकारों के मामले में जन्मजात स्वतन्त्रता और समानता प्राप्त है।"},
    {"bn", "সমস্ত মানুষ স্বাধীনভাবে সমান মর্যাদা এবং অধিকার নিয়ে জন্মগ্রহণ করে।"},
    {"ta", "மனிதப் பிறவியினர் சகலரும் சுதந்திரமாகவே பிறக்கின்றனர்."},
    {"th", "มนุษย์ทั้งหลายเกิดมามีอิสระและเสมอภาคกันในเกียรติศักด"},
    {"zh", "人人生而自由，在尊严和权利上一律平等。"},
    {"ja", "すべての人間は、生まれながらにして自由であり、かつ、尊厳と権利とについて平等である。"},
    {"ko", "모든 인간은 태어날 때부터 자유로우며 그 존엄과 권리에 있어 동등하다."},
    {"am", "የሰው ልጅ ሁሉ ሲወለድ ነጻና በክብርና በመብትም እኩልነት ያለው ነው።"},
    {"en", "Save changes?"},
    {"de", "Änderungen speichern?"},
    {"fr", "Enregistrer les modifications ?"},
    {"ru", "Сохранить изменения?"},
    {"es", "¿Guardar cambios?"},
    {"ja", "変更を保存しますか？"},
    {"el", "Αποθήκευση αλλαγών;"},
    {"ar", "حفظ التغييرات؟"},
};

void add(TextClass* c, const std::string& label, const std::string& text) {
  c->labels.push_back(label);
  c->texts.push_back(text);
}

}  // namespace

TextSet build_text_set(const std::string& path) {
  TextSet set;
  set.short_.name = "short";
  set.short_.description = "<= 20 chars";
  set.ui50.name = "ui50";
  set.ui50.description = "40-60 bytes (typical UI string)";
  set.medium.name = "medium";
  set.medium.description = "21-100 chars";
  set.long_.name = "long";
  set.long_.description = "101-1000 chars";
  set.doc.name = "1MB doc";
  set.doc.description = "held-out lines joined by newlines";
  constexpr size_t kPerClass = 4000, kLongCount = 1000, kDocBytes = 1 << 20;

  std::ifstream in(path, std::ios::binary);
  std::vector<std::pair<std::string, std::string>> lines;
  if (in) {
    std::string line;
    while (std::getline(in, line)) {
      const size_t tab = line.find('\t');
      if (tab == std::string::npos || tab + 1 >= line.size()) continue;
      lines.emplace_back(line.substr(0, tab), line.substr(tab + 1));
    }
  }
  if (!lines.empty()) {
    set.source = path + " (" + std::to_string(lines.size()) + " lines)";
    // A fixed stride through the file: deterministic, and spread over all of it.
    const size_t stride = 7;
    for (size_t start = 0; start < stride; ++start) {
      for (size_t i = start; i < lines.size(); i += stride) {
        const std::string& t = lines[i].second;
        const size_t cps = code_points(t);
        if (cps <= 20 && set.short_.texts.size() < kPerClass) add(&set.short_, lines[i].first, t);
        if (cps > 20 && cps <= 100 && set.medium.texts.size() < kPerClass) add(&set.medium, lines[i].first, t);
        if (cps > 100 && cps <= 1000 && set.long_.texts.size() < kLongCount) add(&set.long_, lines[i].first, t);
        if (t.size() >= 40 && t.size() <= 60 && set.ui50.texts.size() < kPerClass) add(&set.ui50, lines[i].first, t);
      }
    }
    std::string doc;
    for (size_t i = 0; i < lines.size() && doc.size() + lines[i].second.size() + 1 <= kDocBytes; ++i) {
      doc += lines[i].second;
      doc += '\n';
    }
    add(&set.doc, "", doc);
    return set;
  }

  set.source = "built-in sample (" + std::to_string(sizeof(kSample) / sizeof(kSample[0])) + " sentences; " + path +
               " not found)";
  const size_t n = sizeof(kSample) / sizeof(kSample[0]);
  for (size_t i = 0; i < n; ++i) {
    const std::string label = kSample[i][0], text = kSample[i][1];
    const size_t cps = code_points(text);
    if (cps <= 20) add(&set.short_, label, text);
    if (cps > 20 && cps <= 100) add(&set.medium, label, text);
    if (text.size() >= 40 && text.size() <= 60) add(&set.ui50, label, text);
    // Short texts from the first words of each sentence.
    size_t cut = 0, count = 0;
    for (size_t b = 0; b < text.size(); ++b) {
      if ((static_cast<unsigned char>(text[b]) & 0xC0) != 0x80 && ++count > 16) break;
      cut = b + 1;
    }
    while (cut < text.size() && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) ++cut;
    if (cps > 20) add(&set.short_, label, text.substr(0, cut));
    // Long: the sentence and the ones after it, until past 100 chars.
    std::string long_text = text;
    for (size_t k = 1; code_points(long_text) <= 100; ++k) long_text += " " + std::string(kSample[(i + k) % n][1]);
    if (code_points(long_text) <= 1000) add(&set.long_, label, long_text);
  }
  set.doc.description = "sample sentences joined by newlines";
  std::string doc;
  for (size_t i = 0; doc.size() + 200 <= kDocBytes; i = (i + 1) % n) {
    doc += kSample[i][1];
    doc += '\n';
  }
  add(&set.doc, "", doc);
  return set;
}

}  // namespace bench
