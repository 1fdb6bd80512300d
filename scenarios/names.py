"""Pools of Chinese names for the generated county: places, people, shops.

Everything here is invented; any likeness to a real person or shop is chance.
"""

from __future__ import annotations

import random

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余"
    "杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方邹熊白孟秦邱侯江尹薛阎段雷龙"
    "黎史陶贺毛郝顾龚邵万覃武钱戴严欧莫孔向汤"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红斌建国志红春梅海燕国强小红金凤"
    "德林文清福生永红秋菊冬梅建军卫东红兵学军立新家豪子涵雨欣浩然俊杰欣怡佳怡思远宇航晓东"
)
SURNAME_PINYIN = {
    "王": "Wang",
    "李": "Li",
    "张": "Zhang",
    "刘": "Liu",
    "陈": "Chen",
    "杨": "Yang",
    "黄": "Huang",
    "赵": "Zhao",
    "吴": "Wu",
    "周": "Zhou",
}

# The bundled county's townships: (Chinese name, pinyin). The first is the county town.
COUNTY_TOWNSHIPS = [
    ("城关镇", "Chengguan"),
    ("青石镇", "Qingshi"),
    ("龙潭镇", "Longtan"),
    ("白沙乡", "Baisha"),
    ("梅林乡", "Meilin"),
    ("石门镇", "Shimen"),
    ("桃源乡", "Taoyuan"),
    ("双溪镇", "Shuangxi"),
    ("高坪乡", "Gaoping"),
    ("黄土岭乡", "Huangtuling"),
    ("云台乡", "Yuntai"),
]

# Syllables for the names of generated places: (hanzi, pinyin).
PLACE_SYLLABLES = [
    ("青", "Qing"),
    ("石", "Shi"),
    ("龙", "Long"),
    ("白", "Bai"),
    ("梅", "Mei"),
    ("桃", "Tao"),
    ("双", "Shuang"),
    ("高", "Gao"),
    ("黄", "Huang"),
    ("云", "Yun"),
    ("金", "Jin"),
    ("银", "Yin"),
    ("松", "Song"),
    ("竹", "Zhu"),
    ("枫", "Feng"),
    ("杨", "Yang"),
    ("柳", "Liu"),
    ("花", "Hua"),
    ("马", "Ma"),
    ("牛", "Niu"),
    ("凤", "Feng"),
    ("鹤", "He"),
    ("东", "Dong"),
    ("西", "Xi"),
    ("南", "Nan"),
    ("北", "Bei"),
    ("新", "Xin"),
    ("长", "Chang"),
    ("大", "Da"),
    ("小", "Xiao"),
    ("红", "Hong"),
    ("泉", "Quan"),
    ("水", "Shui"),
    ("山", "Shan"),
    ("岭", "Ling"),
    ("坪", "Ping"),
    ("溪", "Xi"),
    ("河", "He"),
    ("湾", "Wan"),
    ("塘", "Tang"),
    ("冲", "Chong"),
    ("坳", "Ao"),
    ("田", "Tian"),
    ("林", "Lin"),
    ("桥", "Qiao"),
    ("江", "Jiang"),
    ("源", "Yuan"),
    ("口", "Kou"),
]
PLACE_ENDINGS = [("镇", "zhen", "town"), ("乡", "xiang", "township")]
VILLAGE_ENDINGS = [("村", "cun")]

COUNTY_TOWN_STREETS = [
    "人民路",
    "解放路",
    "建设路",
    "新华路",
    "文化路",
    "青山大道",
    "滨江路",
    "中山路",
    "光明路",
    "和平路",
    "工业路",
    "迎宾路",
    "东风路",
    "五一路",
    "胜利路",
]

GROCERY_STEMS = ["便利店", "小卖部", "日杂店", "副食店", "百货店", "商店", "杂货铺", "粮油店"]
RESTAURANT_STEMS = ["饭店", "农家乐", "餐馆", "酒家", "快餐店", "粉面馆", "小吃店"]
SUPERMARKET_BRANDS = ["步步高", "新一佳", "家润多", "惠民", "好又多", "万家福", "联华", "百佳"]
INSTITUTION_KINDS = [
    "中学食堂",
    "中心小学食堂",
    "卫生院食堂",
    "人民政府食堂",
    "敬老院",
    "派出所食堂",
    "职业中专食堂",
]
FOOD_PROCESSOR_KINDS = ["酱菜厂", "腊味加工坊", "豆腐坊", "食品厂", "米粉厂"]


def person_name(rng: random.Random) -> str:
    """A plausible two- or three-character Chinese personal name."""
    surname = rng.choice(SURNAMES)
    n = 1 if rng.random() < 0.35 else 2
    return surname + "".join(rng.choice(GIVEN) for _ in range(n))


def mobile_phone(rng: random.Random) -> str:
    """A mainland mobile number (11 digits). Invented: personal data in form only."""
    prefix = rng.choice(
        [
            "130",
            "131",
            "132",
            "135",
            "136",
            "137",
            "138",
            "139",
            "150",
            "151",
            "152",
            "155",
            "158",
            "159",
            "173",
            "177",
            "180",
            "181",
            "186",
            "187",
            "188",
            "189",
            "199",
        ]
    )
    return prefix + "".join(str(rng.randrange(10)) for _ in range(8))


def place_name(rng: random.Random, used: set[str]) -> tuple[str, str]:
    """A two-syllable place stem not yet in ``used``: (hanzi, pinyin)."""
    for _ in range(10_000):
        a, b = rng.sample(PLACE_SYLLABLES, 2)
        zh = a[0] + b[0]
        if zh not in used:
            used.add(zh)
            return zh, a[1] + b[1].lower()
    raise RuntimeError("ran out of place names")
