#!/usr/bin/env python3
"""Deterministic sample inputs for choucha, modelled on Anhui's 2023 Q3 check.

Usage: python3 samples/anhui-2023q3/make_samples.py

Model: 安徽省人民政府办公厅关于2023年第三季度全省政府网站与政务新媒体检查情况的通报
(附件1 websites, 附件2 new media). The per-region totals, checked counts and
failures of those two tables are copied below (TABLE_WEBSITES, TABLE_NEW_MEDIA);
the script does not read the notice. Every id, account name, site name, URL
and operator is SYNTHETIC: plausible in form, not taken from any real roster.

Writes, next to this script:
  new-media-roster.csv   3316 accounts, shuffled
  websites-roster.csv    840 sites, shuffled
  new-media-quotas.csv   stratum,quota  (published 检查政务新媒体数)
  websites-quotas.csv    stratum,quota  (published 检查网站数)
  table-new-media.csv    附件2 as published, plus a 合计 row
  table-websites.csv     附件1 as published, plus a 合计 row
  seed.txt               a fixed, synthetic 24-digit seed and its (fictional) source

Stdlib only, random.Random(20230922), integer-only random calls (no float
maths), so two runs give byte-identical files. The script then checks its
own output (per-region counts, unique ids, quota sums) and prints the result.
"""

import csv
import hashlib
import io
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SEED = 20230922

# ---------------------------------------------------------------------------
# Published data (copied from the notice; order as published).
# (序号, 省直厅局/各市, total, checked, failed)

TABLE_WEBSITES = [
    (1, "省直厅局", 54, 54, 0),
    (2, "合肥市", 61, 61, 0),
    (3, "淮北市", 43, 43, 0),
    (4, "亳州市", 40, 40, 0),
    (5, "宿州市", 49, 49, 0),
    (6, "蚌埠市", 49, 49, 0),
    (7, "阜阳市", 50, 50, 0),
    (8, "淮南市", 50, 50, 0),
    (9, "滁州市", 53, 53, 0),
    (10, "六安市", 49, 49, 0),
    (11, "马鞍山市", 48, 48, 0),
    (12, "芜湖市", 56, 56, 0),
    (13, "宣城市", 49, 49, 0),
    (14, "铜陵市", 42, 42, 0),
    (15, "池州市", 45, 45, 0),
    (16, "安庆市", 55, 55, 0),
    (17, "黄山市", 47, 47, 0),
]
TOTAL_WEBSITES = (840, 840, 0)

TABLE_NEW_MEDIA = [
    (1, "省直厅局", 173, 87, 3),
    (2, "合肥市", 364, 182, 0),
    (3, "淮北市", 133, 66, 0),
    (4, "亳州市", 133, 66, 1),
    (5, "宿州市", 279, 140, 0),
    (6, "蚌埠市", 173, 86, 0),
    (7, "阜阳市", 259, 130, 0),
    (8, "淮南市", 126, 63, 0),
    (9, "滁州市", 195, 98, 0),
    (10, "六安市", 145, 72, 0),
    (11, "马鞍山市", 177, 89, 0),
    (12, "芜湖市", 180, 90, 0),
    (13, "宣城市", 244, 122, 0),
    (14, "铜陵市", 126, 63, 0),
    (15, "池州市", 167, 83, 0),
    (16, "安庆市", 226, 113, 0),
    (17, "黄山市", 216, 108, 1),
]
TOTAL_NEW_MEDIA = (3316, 1658, 5)
PASS_RATE_NEW_MEDIA = "99.70%"

HEADER_TABLE_WEBSITES = ["序号", "省直厅局/各市", "运行网站总数", "检查网站数", "存在突出问题的网站数"]
HEADER_TABLE_NEW_MEDIA = [
    "序号", "省直厅局/各市", "运行政务新媒体总数", "检查政务新媒体数", "存在突出问题的政务新媒体数",
]
HEADER_ROSTER_NEW_MEDIA = ["账号ID", "省直厅局/各市", "账号名称", "平台", "主办单位"]
HEADER_ROSTER_WEBSITES = ["标识码", "省直厅局/各市", "网站名称", "网址", "主办单位"]

# Synthetic seed for the worked example (not from the notice).
SEED_DIGITS = "202308221030415926535897"
SEED_SOURCE = "示例（虚构，非通报内容）：2023年8月22日检查启动会上公开掷骰24次"

# ---------------------------------------------------------------------------
# Geography used to make plausible synthetic names.
# Region -> (2-digit code, URL label, [(county, URL label), ...]).
# Codes follow the cities' administrative-division numbers (3401 合肥 ...);
# 省直厅局 is 00. The county URL labels are synthetic.

REGIONS = {
    "省直厅局": ("00", "ah", []),
    "合肥市": ("01", "hefei", [
        ("瑶海区", "yaohai"), ("庐阳区", "luyang"), ("蜀山区", "shushan"),
        ("包河区", "baohe"), ("长丰县", "changfeng"), ("肥东县", "feidong"),
        ("肥西县", "feixi"), ("庐江县", "lujiang"), ("巢湖市", "chaohu")]),
    "芜湖市": ("02", "wuhu", [
        ("镜湖区", "jinghu"), ("弋江区", "yijiang"), ("鸠江区", "jiujiang"),
        ("湾沚区", "wanzhi"), ("繁昌区", "fanchang"), ("南陵县", "nanling"),
        ("无为市", "wuwei")]),
    "蚌埠市": ("03", "bengbu", [
        ("龙子湖区", "longzihu"), ("蚌山区", "bengshan"), ("禹会区", "yuhui"),
        ("淮上区", "huaishang"), ("怀远县", "huaiyuan"), ("五河县", "wuhe"),
        ("固镇县", "guzhen")]),
    "淮南市": ("04", "huainan", [
        ("大通区", "datong"), ("田家庵区", "tja"), ("谢家集区", "xiejiaji"),
        ("八公山区", "bagongshan"), ("潘集区", "panji"), ("凤台县", "fengtai"),
        ("寿县", "shouxian")]),
    "马鞍山市": ("05", "mas", [
        ("花山区", "huashan"), ("雨山区", "yushan"), ("博望区", "bowang"),
        ("当涂县", "dangtu"), ("含山县", "hanshan"), ("和县", "hexian")]),
    "淮北市": ("06", "huaibei", [
        ("杜集区", "duji"), ("相山区", "xiangshan"), ("烈山区", "lieshan"),
        ("濉溪县", "suixi")]),
    "铜陵市": ("07", "tl", [
        ("铜官区", "tongguan"), ("义安区", "yian"), ("郊区", "tljq"),
        ("枞阳县", "zongyang")]),
    "安庆市": ("08", "anqing", [
        ("迎江区", "yingjiang"), ("大观区", "daguan"), ("宜秀区", "yixiu"),
        ("怀宁县", "huaining"), ("太湖县", "taihu"), ("宿松县", "susong"),
        ("望江县", "wangjiang"), ("岳西县", "yuexi"), ("桐城市", "tongcheng"),
        ("潜山市", "qianshan")]),
    "黄山市": ("10", "huangshan", [
        ("屯溪区", "tunxi"), ("黄山区", "hsq"), ("徽州区", "huizhou"),
        ("歙县", "shexian"), ("休宁县", "xiuning"), ("黟县", "yixian"),
        ("祁门县", "qimen")]),
    "滁州市": ("11", "chuzhou", [
        ("琅琊区", "langya"), ("南谯区", "nanqiao"), ("来安县", "laian"),
        ("全椒县", "quanjiao"), ("定远县", "dingyuan"), ("凤阳县", "fengyang"),
        ("天长市", "tianchang"), ("明光市", "mingguang")]),
    "阜阳市": ("12", "fy", [
        ("颍州区", "yingzhou"), ("颍东区", "yingdong"), ("颍泉区", "yingquan"),
        ("临泉县", "linquan"), ("太和县", "taihe"), ("阜南县", "funan"),
        ("颍上县", "yingshang"), ("界首市", "jieshou")]),
    "宿州市": ("13", "ahsz", [
        ("埇桥区", "yongqiao"), ("砀山县", "dangshan"), ("萧县", "xiaoxian"),
        ("灵璧县", "lingbi"), ("泗县", "sixian")]),
    "六安市": ("15", "luan", [
        ("金安区", "jinan"), ("裕安区", "yuan"), ("叶集区", "yeji"),
        ("霍邱县", "huoqiu"), ("舒城县", "shucheng"), ("金寨县", "jinzhai"),
        ("霍山县", "huoshan")]),
    "亳州市": ("16", "bozhou", [
        ("谯城区", "qiaocheng"), ("涡阳县", "guoyang"), ("蒙城县", "mengcheng"),
        ("利辛县", "lixin")]),
    "池州市": ("17", "chizhou", [
        ("贵池区", "guichi"), ("东至县", "dongzhi"), ("石台县", "shitai"),
        ("青阳县", "qingyang")]),
    "宣城市": ("18", "xuancheng", [
        ("宣州区", "xuanzhou"), ("郎溪县", "langxi"), ("泾县", "jingxian"),
        ("绩溪县", "jixi"), ("旌德县", "jingde"), ("宁国市", "ningguo"),
        ("广德市", "guangde")]),
}

# Provincial departments and bodies: (full name, URL label, new-media brand or "").
PROVINCE_UNITS = [
    ("安徽省发展和改革委员会", "fzggw", "安徽发改"),
    ("安徽省教育厅", "jyt", "安徽教育发布"),
    ("安徽省科学技术厅", "kjt", "安徽科技"),
    ("安徽省经济和信息化厅", "jx", "安徽经信"),
    ("安徽省民族宗教事务委员会", "mzw", ""),
    ("安徽省公安厅", "gat", "安徽公安"),
    ("安徽省民政厅", "mz", "安徽民政"),
    ("安徽省司法厅", "sft", "安徽司法"),
    ("安徽省财政厅", "czt", "安徽财政"),
    ("安徽省人力资源和社会保障厅", "hrss", "安徽人社"),
    ("安徽省自然资源厅", "zrzyt", "安徽自然资源"),
    ("安徽省生态环境厅", "sthjt", "安徽生态环境"),
    ("安徽省住房和城乡建设厅", "dohurd", "安徽住建"),
    ("安徽省交通运输厅", "jtyst", "安徽交通"),
    ("安徽省水利厅", "slt", "安徽水利"),
    ("安徽省农业农村厅", "nync", "安徽农业农村"),
    ("安徽省商务厅", "commerce", "安徽商务"),
    ("安徽省文化和旅游厅", "ct", "安徽文旅"),
    ("安徽省卫生健康委员会", "wjw", "健康安徽"),
    ("安徽省退役军人事务厅", "dva", "安徽退役军人"),
    ("安徽省应急管理厅", "yjt", "安徽应急管理"),
    ("安徽省审计厅", "sjt", "安徽审计"),
    ("安徽省人民政府外事办公室", "fao", ""),
    ("安徽省人民政府国有资产监督管理委员会", "gzw", "安徽国资"),
    ("安徽省市场监督管理局", "amr", "安徽市场监管"),
    ("安徽省广播电视局", "gdj", "安徽广电"),
    ("安徽省体育局", "tyj", "安徽体育"),
    ("安徽省统计局", "tjj", "安徽统计"),
    ("安徽省医疗保障局", "ybj", "安徽医保"),
    ("安徽省林业局", "lyj", "安徽林业"),
    ("安徽省地方金融监督管理局", "jrj", ""),
    ("安徽省数据资源管理局", "sjzyj", "皖事通"),
    ("安徽省机关事务管理局", "jgswj", ""),
    ("安徽省能源局", "nyj", ""),
    ("安徽省粮食和物资储备局", "lsj", "安徽粮食"),
    ("安徽省监狱管理局", "jyglj", "安徽监狱"),
    ("安徽省药品监督管理局", "mpa", "安徽药监"),
    ("安徽省知识产权局", "zscqj", "安徽知识产权"),
    ("安徽省信访局", "xfj", "安徽信访"),
    ("安徽省人民防空办公室", "rfb", "安徽人防"),
    ("安徽省乡村振兴局", "xczxj", "安徽乡村振兴"),
    ("安徽省地方志办公室", "dfz", "安徽方志"),
    ("安徽省人民政府参事室", "csh", ""),
    ("安徽省供销合作社联合社", "gxs", "安徽供销"),
    ("安徽省气象局", "qxj", "安徽气象"),
    ("安徽省地震局", "dzj", "安徽防震减灾"),
    ("安徽省通信管理局", "ca", ""),
    ("安徽省邮政管理局", "yzj", "安徽邮政管理"),
    ("安徽省消防救援总队", "xf", "安徽消防"),
    ("安徽省档案馆", "daj", "安徽档案"),
    ("安徽省公共资源交易监督管理局", "ggzy", ""),
    ("安徽省戒毒管理局", "jdj", "安徽戒毒"),
    ("安徽省国防科学技术工业办公室", "gfkgb", ""),
    ("安徽省地质矿产勘查局", "dkj", "安徽地勘"),
    ("安徽省人民政府研究室", "yjs", ""),
    ("安徽省教育招生考试院", "jyzsksy", "安徽招生考试"),
]

# City/county departments: (name suffix, URL label, short brand or "").
# Brands: "{place}{short}" e.g. 合肥教育; "{}" marks a placeholder inside it.
LOCAL_UNITS = [
    ("教育局", "jyj", "{}教育"),
    ("公安局", "gaj", "平安{}"),
    ("民政局", "mzj", "{}民政"),
    ("司法局", "sfj", "{}司法"),
    ("财政局", "czj", "{}财政"),
    ("人力资源和社会保障局", "rsj", "{}人社"),
    ("自然资源和规划局", "zrzyj", "{}自然资源"),
    ("生态环境局", "sthjj", "{}生态环境"),
    ("住房和城乡建设局", "zjj", "{}住建"),
    ("交通运输局", "jtysj", "{}交通"),
    ("水利局", "slj", "{}水利"),
    ("农业农村局", "nyncj", "{}农业农村"),
    ("商务局", "swj", "{}商务"),
    ("文化和旅游局", "wlj", "{}文旅"),
    ("卫生健康委员会", "wjw", "健康{}"),
    ("退役军人事务局", "tyjrj", "{}退役军人"),
    ("应急管理局", "yjglj", "{}应急管理"),
    ("审计局", "sjj", "{}审计"),
    ("市场监督管理局", "scjgj", "{}市场监管"),
    ("统计局", "tjj", "{}统计"),
    ("医疗保障局", "ybj", "{}医保"),
    ("数据资源管理局", "sjzyj", "{}数据资源"),
    ("城市管理局", "cgj", "{}城管"),
    ("发展和改革委员会", "fgw", "{}发改"),
    ("科学技术局", "kjj", ""),
    ("经济和信息化局", "jxj", ""),
    ("民族宗教事务局", "mzzjj", ""),
    ("信访局", "xfj", ""),
    ("人民防空办公室", "rfb", ""),
    ("林业局", "lyj", ""),
    ("体育局", "tyj", ""),
    ("乡村振兴局", "xczxj", ""),
    ("政务服务管理局", "zwfwj", "{}政务服务"),
    ("国有资产监督管理委员会", "gzw", ""),
    ("机关事务管理局", "jgswj", ""),
    ("粮食和物资储备局", "lsj", ""),
    ("地方金融监督管理局", "jrj", ""),
    ("档案馆", "daj", ""),
    ("住房公积金管理中心", "gjj", "{}公积金"),
    ("公共资源交易中心", "ggzy", ""),
    ("投资促进局", "tzcjj", ""),
    ("气象局", "qxj", "{}气象"),
    ("供销合作社", "gxs", ""),
    ("地方志办公室", "dfz", ""),
    ("人民政府研究室", "yjs", ""),
]
# Offices that exist only at city level in these samples.
CITY_ONLY_UNITS = {"人民政府研究室", "投资促进局"}
# Departments that typically keep their own site at county level
# (used only when a city's website total exceeds its city-level sites).
COUNTY_SITE_UNITS = ["教育局", "卫生健康委员会", "市场监督管理局", "人力资源和社会保障局",
                     "住房和城乡建设局", "农业农村局", "自然资源和规划局"]

# Platforms with integer weights (WeChat most common).
PLATFORMS = [
    ("微信公众号", 40),
    ("新浪微博", 18),
    ("抖音", 16),
    ("微信视频号", 12),
    ("今日头条", 9),
    ("快手", 5),
]


def city_short(region):
    return region[:-1] if region.endswith("市") else region


def county_short(county, region):
    """庐阳区 -> 庐阳, 巢湖市 -> 巢湖; one-syllable stems keep their suffix."""
    if county == "郊区":
        return city_short(region) + "郊区"
    if county == "黄山区":  # would clash with the city 黄山
        return county
    stem = county[:-1]
    return stem if len(stem) >= 2 else county


def county_operator_prefix(county, region):
    """Districts are formally prefixed by their city: 合肥市庐阳区; counties are not."""
    return region + county if county.endswith("区") else county


# ---------------------------------------------------------------------------
# New-media roster


def new_media_candidates(rng, region):
    """Returns (mandatory, optional): mandatory is a list of
    (name, platform, operator); optional maps each platform to a list of
    [weight, (name, platform, operator)]. Units with a public brand (and the
    governments themselves) weigh 4, other offices 1, so that minor offices
    have fewer accounts, as in practice."""
    mandatory = []
    optional = {p: [] for p, _ in PLATFORMS}

    def add_unit(primary, brand, operator, weight=None):
        if weight is None:
            weight = 4 if brand else 1
        # One account per platform at most, plus a second WeChat account when
        # the unit has both a formal name and a brand.
        names = {}
        for platform, _ in PLATFORMS:
            if brand and primary != brand:
                names[platform] = brand if rng.randrange(3) else primary
            else:
                names[platform] = primary
            optional[platform].append([weight, (names[platform], platform, operator)])
        if brand and brand != primary:
            other = primary if names["微信公众号"] == brand else brand
            optional["微信公众号"].append([weight, (other, "微信公众号", operator)])

    if region == "省直厅局":
        mandatory.append(("安徽省政府网", "微信公众号", "安徽省人民政府办公厅"))
        mandatory.append(("安徽发布", "新浪微博", "安徽省人民政府新闻办公室"))
        for full, _, brand in PROVINCE_UNITS:
            add_unit(full, brand, full)
        return mandatory, optional

    cshort = city_short(region)
    levels = [(region, cshort, region)]  # (formal place name, short, operator prefix)
    for county, _ in REGIONS[region][2]:
        levels.append((county, county_short(county, region), county_operator_prefix(county, region)))
    for place, short, op_prefix in levels:
        gov_office = op_prefix + "人民政府办公室"
        mandatory.append((short + "发布", "微信公众号", gov_office))
        add_unit(place + "人民政府", "", gov_office, weight=4)
        for suffix, _, brand_tpl in LOCAL_UNITS:
            if place != region and suffix in CITY_ONLY_UNITS:
                continue
            primary = place + suffix
            brand = brand_tpl.format(short) if brand_tpl else ""
            add_unit(primary, brand, op_prefix + suffix)
    return mandatory, optional


def pick_new_media(rng, region, n):
    mandatory, optional = new_media_candidates(rng, region)
    chosen = list(mandatory)
    taken = set((name, platform) for name, platform, _ in chosen)
    for platform in optional:
        optional[platform] = [c for c in optional[platform] if c[1][:2] not in taken]
    while len(chosen) < n:
        live = [(p, w) for p, w in PLATFORMS if optional[p]]
        total = sum(w for _, w in live)
        r = rng.randrange(total)
        for platform, w in live:
            if r < w:
                break
            r -= w
        pool = optional[platform]
        r = rng.randrange(sum(w for w, _ in pool))
        for i, (w, _) in enumerate(pool):
            if r < w:
                break
            r -= w
        cand = pool.pop(i)[1]
        key = (cand[0], cand[1])
        if key in taken:
            continue
        taken.add(key)
        chosen.append(cand)
    return chosen


def make_new_media_roster(rng):
    rows = []
    for _, region, total, _, _ in TABLE_NEW_MEDIA:
        code = REGIONS[region][0]
        accounts = pick_new_media(rng, region, total)
        numbers = rng.sample(range(10**6), total)
        for (name, platform, operator), num in zip(accounts, numbers):
            rows.append([f"XM34{code}{num:06d}", region, name, platform, operator])
    rng.shuffle(rows)
    return rows


# ---------------------------------------------------------------------------
# Websites roster


def make_websites_roster(rng):
    rows = []
    for _, region, total, _, _ in TABLE_WEBSITES:
        code, label, counties = REGIONS[region]
        sites = []  # (name, url, operator, county index)
        if region == "省直厅局":
            sites.append(("安徽省人民政府", "https://www.ah.gov.cn", "安徽省人民政府办公厅", 0))
            units = rng.sample(PROVINCE_UNITS, total - 1)
            for full, ulabel, _ in units:
                sites.append((full, f"https://{ulabel}.ah.gov.cn", full, 0))
        else:
            sites.append((region + "人民政府", f"https://www.{label}.gov.cn",
                          region + "人民政府办公室", 0))
            for i, (county, clabel) in enumerate(counties, start=1):
                prefix = county_operator_prefix(county, region)
                sites.append((prefix + "人民政府", f"https://www.{clabel}.gov.cn",
                              prefix + "人民政府办公室", i))
            need = total - len(sites)
            city_units = LOCAL_UNITS if need >= len(LOCAL_UNITS) else rng.sample(LOCAL_UNITS, need)
            for suffix, ulabel, _ in city_units:
                sites.append((region + suffix, f"https://{ulabel}.{label}.gov.cn", region + suffix, 0))
            need = total - len(sites)
            if need > 0:
                extra = [(i, county, clabel, suffix)
                         for i, (county, clabel) in enumerate(counties, start=1)
                         for suffix in COUNTY_SITE_UNITS]
                ulabels = {s: u for s, u, _ in LOCAL_UNITS}
                for i, county, clabel, suffix in rng.sample(extra, need):
                    prefix = county_operator_prefix(county, region)
                    sites.append((prefix + suffix, f"https://{ulabels[suffix]}.{clabel}.gov.cn",
                                  prefix + suffix, i))
        # 标识码: 34 + region code + county index (00 = city/province level) + 4 digits.
        # Portals get 0001; everything else a distinct random sequence number.
        seqs = {}
        for name, url, operator, ci in sites:
            seqs.setdefault(ci, [])
        pools = {ci: rng.sample(range(2, 10000), sum(1 for s in sites if s[3] == ci)) for ci in seqs}
        for name, url, operator, ci in sites:
            portal = url.startswith("https://www.")
            seq = 1 if portal else pools[ci].pop()
            rows.append([f"34{code}{ci:02d}{seq:04d}", region, name, url, operator])
    rng.shuffle(rows)
    return rows


# ---------------------------------------------------------------------------
# Output


def csv_bytes(header, rows):
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue().encode("utf-8")


def write(name, data):
    path = os.path.join(HERE, name)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)
    return path


def table_rows(table, totals):
    rows = [[str(i), region, str(t), str(c), str(f)] for i, region, t, c, f in table]
    rows.append(["", "合计"] + [str(x) for x in totals])
    return rows


def check(files, nm_rows, web_rows):
    """Asserts the generated files against the published tables; returns report lines."""
    out = []

    def counts(rows):
        c = {}
        for r in rows:
            c[r[1]] = c.get(r[1], 0) + 1
        return c

    for label, table, totals, rows, idlen in (
        ("new media", TABLE_NEW_MEDIA, TOTAL_NEW_MEDIA, nm_rows, 12),
        ("websites", TABLE_WEBSITES, TOTAL_WEBSITES, web_rows, 10),
    ):
        assert [r[0] for r in table] == list(range(1, 18)), label
        assert sum(r[2] for r in table) == totals[0], label
        assert sum(r[3] for r in table) == totals[1], label
        assert sum(r[4] for r in table) == totals[2], label
        assert all(0 <= r[4] <= r[3] <= r[2] for r in table), label
        c = counts(rows)
        assert set(c) == {r[1] for r in table}, label
        for _, region, total, _, _ in table:
            assert c[region] == total, (label, region, c[region], total)
        ids = [r[0] for r in rows]
        assert len(ids) == totals[0] and len(set(ids)) == len(ids), label
        assert all(len(i) == idlen for i in ids), label
        for r in rows:
            for field in r:
                assert field and field == field.strip(), (label, r)
                assert not any(ch in field for ch in "\t\r\n,\"") and all(ord(ch) >= 0x20 for ch in field), (label, r)
        nc = sum(1 for r in rows if r[1] == "省直厅局")
        out.append(f"{label}: {len(rows)} rows, {len(c)} regions, per-region counts match 附件"
                   f"{'2' if label == 'new media' else '1'} (省直厅局 {nc}), {len(set(ids))} unique ids")
        q = sum(r[3] for r in table)
        out.append(f"{label}: quota sum {q} (published {totals[1]}), failures {totals[2]}")

    assert len({r[3] for r in web_rows}) == len(web_rows), "website URLs not unique"
    assert all(r[3].startswith("https://") and r[3].endswith(".gov.cn") for r in web_rows)
    assert len({(r[2], r[3]) for r in nm_rows}) == len(nm_rows), "(name, platform) not unique"
    plat = {}
    for r in nm_rows:
        plat[r[3]] = plat.get(r[3], 0) + 1
    assert set(plat) <= {p for p, _ in PLATFORMS}
    out.append("platforms: " + ", ".join(f"{p} {plat.get(p, 0)}" for p, _ in PLATFORMS))
    assert max(plat, key=plat.get) == "微信公众号"

    # Pass rate of the new-media check, as published: 99.70%.
    checked, failed = TOTAL_NEW_MEDIA[1], TOTAL_NEW_MEDIA[2]
    rate = (checked - failed) * 10000 * 2 // checked  # basis points, doubled, for rounding
    bp = (rate + 1) // 2
    assert f"{bp // 100}.{bp % 100:02d}%" == PASS_RATE_NEW_MEDIA
    out.append(f"new media pass rate ({checked}-{failed})/{checked} = {PASS_RATE_NEW_MEDIA}")

    # Re-read the files from disk and compare with what was meant to be written.
    for name, data in files.items():
        with open(os.path.join(HERE, name), "rb") as f:
            disk = f.read()
        assert disk == data, name
        assert not disk.startswith(b"\xef\xbb\xbf") and b"\r" not in disk and disk.endswith(b"\n"), name
        if name.endswith(".csv"):
            parsed = list(csv.reader(io.StringIO(disk.decode("utf-8"), newline="")))
            assert len({len(r) for r in parsed}) == 1, name
    for name in ("new-media-quotas.csv", "websites-quotas.csv"):
        with open(os.path.join(HERE, name), encoding="utf-8", newline="") as f:
            q = list(csv.reader(f))
        assert q[0] == ["stratum", "quota"]
        out.append(f"{name}: {len(q) - 1} strata, sum {sum(int(r[1]) for r in q[1:])}")
    assert len(SEED_DIGITS) == 24 and SEED_DIGITS.isdigit()
    out.append("sha256: " + ", ".join(
        f"{n} {hashlib.sha256(d).hexdigest()[:12]}" for n, d in sorted(files.items())))
    return out


def main():
    rng = random.Random(SEED)
    nm_rows = make_new_media_roster(rng)
    web_rows = make_websites_roster(rng)
    files = {
        "new-media-roster.csv": csv_bytes(HEADER_ROSTER_NEW_MEDIA, nm_rows),
        "websites-roster.csv": csv_bytes(HEADER_ROSTER_WEBSITES, web_rows),
        "new-media-quotas.csv": csv_bytes(["stratum", "quota"],
                                          [[r[1], str(r[3])] for r in TABLE_NEW_MEDIA]),
        "websites-quotas.csv": csv_bytes(["stratum", "quota"],
                                         [[r[1], str(r[3])] for r in TABLE_WEBSITES]),
        "table-new-media.csv": csv_bytes(HEADER_TABLE_NEW_MEDIA,
                                         table_rows(TABLE_NEW_MEDIA, TOTAL_NEW_MEDIA)),
        "table-websites.csv": csv_bytes(HEADER_TABLE_WEBSITES,
                                        table_rows(TABLE_WEBSITES, TOTAL_WEBSITES)),
        "seed.txt": (SEED_DIGITS + "\n" + SEED_SOURCE + "\n").encode("utf-8"),
    }
    for name, data in files.items():
        write(name, data)
    for line in check(files, nm_rows, web_rows):
        print("ok: " + line)
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
