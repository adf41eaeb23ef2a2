# language: ar
@etcd @faults
خاصية: تلاتة etcd members يستحملوا إن واحد منهم يقع
  "كام etcd؟ ... يفضل يكون الحد الأدنى 3". الـ write مبيتأكدش غير لما أغلبية الـ members (الـ quorum)
  تخزنه: تلاتة members يفضلوا شغالين لو واحد وقع، ويبطلوا يقبلوا writes لو اتنين وقعوا، ويرجعوا
  يشتغلوا أول ما member تاني يرجع. ومفيش write اتأكد يضيع في السكة.

  @ETCD-04
  سيناريو: الـ writes شغالة مع 2 من 3 members، وبتقف مع 1 من 3، وترجع مع 2 من 3
    بفرض الـ writes عن طريق الـ API بتنجح
    عندما اتعمل kill للـ etcd member "etcd-0"
    اذاً الـ writes عن طريق الـ API بتنجح
    عندما اتعمل kill للـ etcd member "etcd-1"
    اذاً خلال 20 ثانية الـ writes عن طريق الـ API تفشل بـ storage error فيه اسم الـ operation
    عندما اتعمل restart للـ etcd member "etcd-1"
    اذاً خلال 30 ثانية الـ writes عن طريق الـ API ترجع تنجح
    و كل write الـ API أكدها لسه بتتقري
